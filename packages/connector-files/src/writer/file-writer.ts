import { randomUUID } from 'node:crypto';
import type { SinkWriter, SinkWriterContext } from '@rivulet/api';
import type { BucketAssigner } from '../bucketing/bucket-assigner.js';
import { invalidBucketId } from '../bucketing/bucket-assigner.js';
import type { FileSinkCommittable, FileWriterState } from '../committable.js';
import type { Encoder } from '../encoding/encoder.js';
import { FileSinkError, reason } from '../file-sink-error.js';
import type { OutputFileConfig } from '../output-file-config.js';
import type { PartFileInfo, RollingPolicy } from '../rolling/rolling-policy.js';
import type { InProgressPartFile, PartFileStore } from '../storage/part-file-store.js';
import type { ProcessingTimeService } from '../time/processing-time-service.js';
import { partFileName } from './part-file-name.js';
import { SerialQueue } from './serial-queue.js';

export interface FileWriterOptions<T> {
  /** The sink's base path, naming it in errors. */
  readonly sink: string;
  readonly store: PartFileStore;
  readonly encoder: Encoder<T>;
  readonly bucketAssigner: BucketAssigner<T>;
  readonly rollingPolicy: RollingPolicy<T>;
  readonly outputFileConfig: OutputFileConfig;
  readonly bucketCheckIntervalMs: number;
  readonly time: ProcessingTimeService;
  readonly subtaskIndex: number;
}

interface OpenPart {
  readonly file: InProgressPartFile;
  readonly info: { -readonly [K in keyof PartFileInfo]: PartFileInfo[K] };
  /** The encoder's header, written with the first record. */
  header: string | undefined;
}

interface ClosedPart {
  readonly file: InProgressPartFile;
  readonly committable: FileSinkCommittable;
}

/**
 * One subtask's FileSink writer (Flink's FileWriter): routes each record to
 * its bucket's in-progress part file, rolls part files by the rolling
 * policy, and closes every one of them at each checkpoint.
 *
 * - write: the bucket assigner names the bucket; a part file is opened for
 *   it at its first record (`<prefix>-<writer uuid>-<subtask>-<counter>`,
 *   the counter counting this writer's part files over all buckets); before
 *   writing, `shouldRollOnEvent` may close it (it becomes pending) and open
 *   the next;
 * - every bucket check interval, `shouldRollOnProcessingTime` may close
 *   open part files (queued behind the write in progress, if any);
 * - prepareCommit (after flush, at each barrier and at the end of input):
 *   every open part file is closed; the pending ones are handed over as
 *   committables, durable when handed over;
 * - snapshotState: the writer's uuid and next counter (FileWriterState);
 * - close: part files not handed over (open or pending: in no checkpoint)
 *   are discarded.
 *
 * Invariant: a part file is in at most one checkpoint's committables, and
 * every record written before a barrier is in a part file handed over at it.
 * Operations run one at a time (SerialQueue); a failure fails the next
 * write or flush, with a FileSinkError naming the sink.
 */
export class FileWriter<T> implements SinkWriter<T, FileSinkCommittable, FileWriterState> {
  readonly writerId = randomUUID();
  private readonly queue = new SerialQueue();
  private readonly buckets = new Map<string, OpenPart>();
  private pending: ClosedPart[] = [];
  private nextCounter = 0;
  private readonly stopBucketChecks: () => void;
  private closed = false;

  constructor(private readonly options: FileWriterOptions<T>) {
    this.stopBucketChecks = options.time.every(options.bucketCheckIntervalMs, () => this.checkBuckets());
  }

  write(record: T, context: SinkWriterContext): void | Promise<void> {
    return this.queue.run(() => this.writeRecord(record, context));
  }

  async flush(): Promise<void> {
    await this.queue.idle();
  }

  async prepareCommit(): Promise<FileSinkCommittable[]> {
    await this.queue.run(() => this.closeParts([...this.buckets]));
    const handedOver = this.pending.map((part) => part.committable);
    this.pending = [];
    return handedOver;
  }

  snapshotState(): FileWriterState[] {
    return [{ version: 1, writerId: this.writerId, subtaskIndex: this.options.subtaskIndex, nextCounter: this.nextCounter }];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopBucketChecks();
    const abandoned = [...[...this.buckets.values()].map((part) => part.file), ...this.pending.map((part) => part.file)];
    this.buckets.clear();
    this.pending = [];
    await Promise.all(abandoned.map((file) => file.discard()));
    await this.options.store.close();
  }

  /** Part files open now, per bucket (tests and metrics). */
  get openBuckets(): readonly string[] {
    return [...this.buckets.keys()];
  }

  private writeRecord(record: T, context: SinkWriterContext): void | Promise<void> {
    const now = this.options.time.now();
    const bucketId = this.bucketOf(record, context, now);
    const text = this.encode(record);
    const part = this.buckets.get(bucketId);
    if (part !== undefined && this.shouldRoll(() => this.options.rollingPolicy.shouldRollOnEvent({ ...part.info }, record))) {
      return this.closeParts([[bucketId, part]]).then(() => this.append(this.openPart(bucketId, now), text, now));
    }
    return this.append(part ?? this.openPart(bucketId, now), text, now);
  }

  private append(part: OpenPart, text: string, now: number): void | Promise<void> {
    const data = part.header === undefined ? text : part.header + text;
    part.header = undefined;
    const bytes = Buffer.byteLength(data);
    part.info.size += bytes;
    part.info.lastUpdateTime = now;
    return part.file.write(data, bytes);
  }

  private openPart(bucketId: string, now: number): OpenPart {
    const { store, outputFileConfig, subtaskIndex, encoder } = this.options;
    const name = partFileName(outputFileConfig, this.writerId, subtaskIndex, this.nextCounter);
    this.nextCounter += 1;
    const part: OpenPart = { file: store.open(bucketId, name), info: { bucketId, creationTime: now, lastUpdateTime: now, size: 0 }, header: encoder.header?.() };
    this.buckets.set(bucketId, part);
    return part;
  }

  /** Closes these part files (concurrently); each becomes pending once durable. */
  private async closeParts(parts: readonly (readonly [string, OpenPart])[]): Promise<void> {
    await Promise.all(
      parts.map(async ([bucketId, part]) => {
        const committable = await part.file.closeForCommit();
        if (this.buckets.get(bucketId) === part) this.buckets.delete(bucketId);
        this.pending.push({ file: part.file, committable });
      }),
    );
  }

  /** The periodic bucket check: closes the part files the rolling policy says are due by processing time. */
  private checkBuckets(): void {
    if (this.closed) return;
    try {
      const result = this.queue.run(() => {
        const now = this.options.time.now();
        const due = [...this.buckets].filter(([, part]) => this.shouldRoll(() => this.options.rollingPolicy.shouldRollOnProcessingTime({ ...part.info }, now)));
        return due.length === 0 ? undefined : this.closeParts(due);
      });
      // A failure breaks the queue: the next write or flush reports it.
      result?.catch(() => undefined);
    } catch {
      // The writer failed before; the task is failing.
    }
  }

  private bucketOf(record: T, context: SinkWriterContext, now: number): string {
    let bucketId: string;
    try {
      bucketId = this.options.bucketAssigner.getBucketId(record, { currentProcessingTime: now, timestamp: context.timestamp, currentWatermark: context.currentWatermark });
    } catch (err) {
      throw new FileSinkError(this.options.sink, `the bucket assigner failed for a record: ${reason(err)}`, { cause: err });
    }
    if (!this.buckets.has(bucketId)) {
      const invalid = invalidBucketId(bucketId);
      if (invalid !== undefined) throw new FileSinkError(this.options.sink, `the bucket assigner gave the bucket id ${JSON.stringify(bucketId)}: ${invalid}`);
    }
    return bucketId;
  }

  private encode(record: T): string {
    let text: unknown;
    try {
      text = this.options.encoder.encode(record);
    } catch (err) {
      throw new FileSinkError(this.options.sink, `the encoder failed for a record: ${reason(err)}`, { cause: err });
    }
    if (typeof text !== 'string') throw new FileSinkError(this.options.sink, `the encoder returned ${typeof text} for a record, not a string`);
    return text;
  }

  private shouldRoll(ask: () => boolean): boolean {
    try {
      return ask() === true;
    } catch (err) {
      throw new FileSinkError(this.options.sink, `the rolling policy failed: ${reason(err)}`, { cause: err });
    }
  }
}
