import type { Committer, CommitterInitContext, Sink, SinkWriter, WriterInitContext } from '@rivulet/api';
import type { BucketAssigner } from './bucketing/bucket-assigner.js';
import type { FileSinkCommittable, FileWriterState } from './committable.js';
import { FileCommitter } from './committer/file-committer.js';
import type { Encoder, EncoderLike } from './encoding/encoder.js';
import { FileSinkError, reason } from './file-sink-error.js';
import type { OutputFileConfig } from './output-file-config.js';
import type { OutputPath } from './output-path.js';
import type { RollingPolicy } from './rolling/rolling-policy.js';
import { RowFormatBuilder } from './row-format-builder.js';
import { LocalStore } from './storage/local/local-store.js';
import type { PartFileStore } from './storage/part-file-store.js';
import { resolveS3Settings, type FileSinkS3Options } from './storage/s3/s3-options.js';
import { S3Store } from './storage/s3/s3-store.js';
import type { ProcessingTimeService } from './time/processing-time-service.js';
import { FileWriter } from './writer/file-writer.js';

/** Everything a FileSink is built with (checked by the builder). */
export interface FileSinkSettings<T> {
  readonly path: OutputPath;
  readonly encoder: Encoder<T>;
  readonly bucketAssigner: BucketAssigner<T>;
  readonly rollingPolicy: RollingPolicy<T>;
  readonly outputFileConfig: OutputFileConfig;
  readonly bucketCheckIntervalMs: number;
  readonly s3: FileSinkS3Options;
  readonly time: ProcessingTimeService;
}

/**
 * Flink's FileSink, row-encoded, exactly once by two-phase commit on the
 * Sink API: `stream.sinkTo(FileSink.forRowFormat('s3://bucket/prefix', Encoders.jsonLines()).build())`.
 *
 * Records go to in-progress part files per bucket (hidden files in a local
 * folder, multipart uploads in S3); at every checkpoint each part file is
 * closed and becomes a committable; the committer makes it visible (rename,
 * CompleteMultipartUpload) once the checkpoint completed. A restored writer
 * removes the part files its predecessors began after the restored
 * checkpoint. See docs/connectors-files.md.
 *
 * The sink object only keeps its settings; the storage is reached by each
 * writer (which checks it first: folder created, bucket there and
 * accessible) and committer, on the TaskManagers.
 */
export class FileSink<T> implements Sink<T, FileSinkCommittable, FileWriterState> {
  /** `FileSink.forRowFormat(path, encoder)…build()`. */
  constructor(private readonly settings: FileSinkSettings<T>) {}

  /** A row-format FileSink writing to `basePath` (`s3://bucket/prefix` or `file:///folder`), one `encoder` output per record. */
  static forRowFormat<T>(basePath: string, encoder: EncoderLike<T>): RowFormatBuilder<T> {
    return new RowFormatBuilder<T>(basePath, encoder);
  }

  /** The base path, as messages name it. */
  get basePath(): string {
    return this.settings.path.uri;
  }

  async createWriter(context: WriterInitContext): Promise<SinkWriter<T, FileSinkCommittable, FileWriterState>> {
    return this.openWriter(context, []);
  }

  async restoreWriter(context: WriterInitContext, recoveredState: FileWriterState[]): Promise<SinkWriter<T, FileSinkCommittable, FileWriterState>> {
    const states = recoveredState.filter((state) => state?.version === 1 && typeof state.writerId === 'string' && Number.isSafeInteger(state.nextCounter));
    return this.openWriter(context, states);
  }

  async createCommitter(_context: CommitterInitContext): Promise<Committer<FileSinkCommittable>> {
    return new FileCommitter(this.basePath, this.openStore());
  }

  private async openWriter(context: WriterInitContext, restored: readonly FileWriterState[]): Promise<FileWriter<T>> {
    const store = this.openStore();
    try {
      await store.check();
      await store.removeAbandoned(restored);
    } catch (err) {
      await store.close();
      throw err;
    }
    const { encoder, bucketAssigner, rollingPolicy, outputFileConfig, bucketCheckIntervalMs, time } = this.settings;
    return new FileWriter<T>({ sink: this.basePath, store, encoder, bucketAssigner, rollingPolicy, outputFileConfig, bucketCheckIntervalMs, time, subtaskIndex: context.subtaskIndex });
  }

  /** The store for the base path; S3 settings are resolved here, on the TaskManager. */
  private openStore(): PartFileStore {
    const path = this.settings.path;
    if (path.kind === 'local') return new LocalStore(path.uri, path.folder);
    let s3;
    try {
      s3 = resolveS3Settings(this.settings.s3);
    } catch (err) {
      throw new FileSinkError(path.uri, reason(err), { cause: err });
    }
    return new S3Store(path.uri, path.bucket, path.prefix, s3);
  }
}
