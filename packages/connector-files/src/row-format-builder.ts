import { toBucketAssigner, type BucketAssigner, type BucketAssignerFunction } from './bucketing/bucket-assigner.js';
import { DateTimeBucketAssigner } from './bucketing/date-time-bucket-assigner.js';
import { toEncoder, type EncoderLike } from './encoding/encoder.js';
import { FileSink } from './file-sink.js';
import { FileSinkError, reason } from './file-sink-error.js';
import { OutputFileConfig } from './output-file-config.js';
import { parseOutputPath, type OutputPath } from './output-path.js';
import { DefaultRollingPolicy } from './rolling/default-rolling-policy.js';
import type { RollingPolicy } from './rolling/rolling-policy.js';
import { checkS3Options, MAX_S3_PARTS, MIN_S3_PART_SIZE, type FileSinkS3Options } from './storage/s3/s3-options.js';
import { SYSTEM_PROCESSING_TIME, type ProcessingTimeService } from './time/processing-time-service.js';

/** Flink's default bucket check interval: 1 minute. */
export const DEFAULT_BUCKET_CHECK_INTERVAL_MS = 60_000;

/**
 * Builds a row-format FileSink (Flink's DefaultRowFormatBuilder). Every
 * setting is checked when it is given; a bad one throws a FileSinkError
 * naming the sink's path and the setting — in the job's main, before the
 * job is submitted. Defaults: hourly DateTimeBucketAssigner by processing
 * time, DefaultRollingPolicy (128 MiB, 60 s, 60 s), part files `part-…`,
 * bucket checks every 60 s.
 */
export class RowFormatBuilder<T> {
  private readonly path: OutputPath;
  private readonly encoder;
  private bucketAssigner: BucketAssigner<T> = new DateTimeBucketAssigner<T>();
  private rollingPolicy: RollingPolicy<T> = DefaultRollingPolicy.builder().build<T>();
  private outputFileConfig = OutputFileConfig.builder().build();
  private bucketCheckIntervalMs = DEFAULT_BUCKET_CHECK_INTERVAL_MS;
  private s3: FileSinkS3Options | undefined;
  private time: ProcessingTimeService = SYSTEM_PROCESSING_TIME;

  constructor(basePath: string, encoder: EncoderLike<T>) {
    this.path = parseOutputPath(basePath);
    if (encoder === null || (typeof encoder !== 'function' && typeof (encoder as { encode?: unknown })?.encode !== 'function')) {
      throw new FileSinkError(this.path.uri, 'forRowFormat: the encoder must be an Encoder (Encoders.jsonLines(), Encoders.csv({ columns }), { encode(record) }) or a function (record) => line');
    }
    this.encoder = toEncoder(encoder);
  }

  withBucketAssigner(assigner: BucketAssigner<T> | BucketAssignerFunction<T>): this {
    this.bucketAssigner = this.checked(() => toBucketAssigner(assigner));
    return this;
  }

  withRollingPolicy(policy: RollingPolicy<T>): this {
    if (policy === null || typeof policy?.shouldRollOnEvent !== 'function' || typeof policy.shouldRollOnProcessingTime !== 'function') {
      throw new FileSinkError(this.path.uri, 'withRollingPolicy: a rolling policy has shouldRollOnEvent and shouldRollOnProcessingTime (DefaultRollingPolicy.builder()…build(), OnCheckpointRollingPolicy.build())');
    }
    this.rollingPolicy = policy;
    return this;
  }

  withOutputFileConfig(config: OutputFileConfig | { readonly partPrefix?: string; readonly partSuffix?: string }): this {
    this.outputFileConfig = config instanceof OutputFileConfig ? config : this.checked(() => OutputFileConfig.of(config ?? {}));
    return this;
  }

  /** How often (ms) open part files are checked against the rolling policy's time limits; default 60,000. */
  withBucketCheckInterval(ms: number): this {
    if (!Number.isSafeInteger(ms) || ms <= 0) throw new FileSinkError(this.path.uri, `withBucketCheckInterval(${String(ms)}): must be a positive whole number of ms`);
    this.bucketCheckIntervalMs = ms;
    return this;
  }

  /** How to reach S3 (endpoint, credentials, part size, retry deadline); only for an s3:// path. */
  withS3(options: FileSinkS3Options): this {
    if (this.path.kind !== 's3') throw new FileSinkError(this.path.uri, 'withS3: S3 options given for a path that is not s3://');
    this.checked(() => checkS3Options(options));
    this.s3 = { ...options };
    return this;
  }

  /** The writers' clock and bucket-check timer; the system's by default (tests give a manual one). */
  withProcessingTimeService(time: ProcessingTimeService): this {
    if (typeof time?.now !== 'function' || typeof time.every !== 'function') throw new FileSinkError(this.path.uri, 'withProcessingTimeService: needs now() and every(intervalMs, callback)');
    this.time = time;
    return this;
  }

  build(): FileSink<T> {
    if (this.path.kind === 's3' && this.rollingPolicy instanceof DefaultRollingPolicy) {
      const partSize = this.s3?.partSize ?? MIN_S3_PART_SIZE;
      const { maxPartSize } = this.rollingPolicy.settings;
      if (maxPartSize > partSize * (MAX_S3_PARTS - 1)) {
        throw new FileSinkError(this.path.uri, `the rolling policy's max part size ${maxPartSize} needs more than ${MAX_S3_PARTS} S3 parts of ${partSize} bytes: raise withS3({ partSize })`);
      }
    }
    return new FileSink<T>({
      path: this.path,
      encoder: this.encoder,
      bucketAssigner: this.bucketAssigner,
      rollingPolicy: this.rollingPolicy,
      outputFileConfig: this.outputFileConfig,
      bucketCheckIntervalMs: this.bucketCheckIntervalMs,
      s3: this.s3 ?? {},
      time: this.time,
    });
  }

  private checked<R>(make: () => R): R {
    try {
      return make();
    } catch (err) {
      if (err instanceof FileSinkError) throw err;
      throw new FileSinkError(this.path.uri, reason(err), { cause: err });
    }
  }
}
