import { PartitionRequestError, UnserializableRecordError } from './errors.js';
import { Deque } from './deque.js';
import type { ChannelEvent } from './network-api.js';
import { HEADER_BYTES } from './frames.js';
import { payloadBytes, type SerializationContext, serializeBatch } from './record-serializer.js';

/**
 * One subpartition of a result partition: the queue of batches and events
 * for one consumer, read by exactly one reader (local or remote).
 *
 * Invariants:
 * - entries leave in the order they entered; an event is queued only after
 *   the batch being filled was flushed, so it follows every earlier record;
 * - batches for a reader that `serializes` hold their bytes before they are
 *   queued (serialized in the producer's `emit`/`flush`, so an unserializable
 *   record fails there); batches queued before any reader attached are kept
 *   as arrays and serialized when a remote reader attaches;
 * - once released, everything queued is dropped and nothing more is queued.
 */

/** A batch as records (local or not yet known consumer), a batch serialized with header space, or an event. */
export type QueueEntry =
  | { readonly kind: 'records'; readonly records: unknown[] }
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'event'; readonly event: ChannelEvent };

export interface SubpartitionReader {
  /** True for readers that send over a connection: batches must be serialized. */
  readonly serializes: boolean;
  /** The queue went from empty to non-empty. */
  notifyDataAvailable(): void;
  /** The producer's side released the subpartition; nothing more will come. */
  notifyReleased(error: Error): void;
}

/** What a subpartition needs from its partition. */
export interface SubpartitionOwner {
  readonly context: SerializationContext;
  readonly bufferSizeBytes: number;
  readonly maxRecordsPerBuffer: number;
  readonly maxFrameBytes: number;
  readonly maxQueuedBuffers: number;
  /** A subpartition's queue reached (+1) or left (-1) its bound. */
  fullnessChanged(delta: 1 | -1): void;
  subpartitionConsumed(index: number): void;
  /** The consumer went away before the end; `connectionBroken`: its data connection failed (not a cancel). */
  consumerLost(index: number, error: Error, connectionBroken: boolean): void;
  /** Serialization failed: the whole partition fails. */
  fail(error: Error): void;
  /** The reader took a batch (the queue shrank by one). */
  bufferTaken(index: number): void;
}

/** The guess of serialized bytes per record when the first record cannot be measured. */
const INITIAL_BYTES_PER_RECORD = 32;
/** Weight of the newest batch in the moving average of bytes per record. */
const ESTIMATE_WEIGHT = 0.3;

export type SubpartitionState = 'open' | 'finished' | 'consumed' | 'released';

export class Subpartition {
  state: SubpartitionState = 'open';
  private batch: unknown[] = [];
  private readonly queue = new Deque<QueueEntry>();
  private queuedBatches = 0;
  private bytesInQueue = 0;
  private reader: SubpartitionReader | undefined;
  /** Records per batch: bufferSizeBytes / (estimated bytes per record), capped; the only per-record cost is a length check. */
  private recordLimit: number;
  private bytesPerRecord: number | undefined;

  constructor(
    readonly index: number,
    private readonly owner: SubpartitionOwner,
  ) {
    this.recordLimit = Math.max(1, Math.min(owner.maxRecordsPerBuffer, Math.floor(owner.bufferSizeBytes / INITIAL_BYTES_PER_RECORD)));
  }

  get hasData(): boolean {
    return this.queue.length > 0;
  }

  get queuedBuffers(): number {
    return this.queuedBatches;
  }

  get queuedBytes(): number {
    return this.bytesInQueue;
  }

  /**
   * Hot path: appends to the batch being filled and sends it when full. The
   * batch size comes from an estimate of bytes per record: measured once on
   * the very first record (one msgpackr call), then the moving average of
   * the real serialized batches — so no per-record size estimate is needed.
   */
  append(record: unknown): void {
    if (this.state === 'released') return;
    const batch = this.batch;
    batch.push(record);
    if (batch.length === 1 && this.bytesPerRecord === undefined && this.reader?.serializes !== false) this.sample(record);
    if (batch.length >= this.recordLimit) this.flush();
  }

  /** Queues the batch being filled, if any. Throws UnserializableRecordError (after failing the partition). */
  flush(): void {
    const records = this.batch;
    if (records.length === 0 || this.state === 'released') return;
    this.batch = [];
    if (this.reader?.serializes === true) {
      for (const bytes of this.serialize(records)) this.enqueue({ kind: 'bytes', bytes });
    } else {
      this.enqueue({ kind: 'records', records });
    }
  }

  /** Queues a batch serialized elsewhere (with header space), after everything emitted so far. */
  appendSerialized(bytes: Buffer): void {
    if (this.state === 'released') return;
    this.flush();
    this.enqueue({ kind: 'bytes', bytes });
  }

  /** Queues an event after everything emitted so far. */
  addEvent(event: ChannelEvent): void {
    if (this.state === 'released' || this.state === 'consumed') return;
    this.flush();
    this.enqueue({ kind: 'event', event });
    if (event.kind === 'end-of-partition') this.state = 'finished';
  }

  /**
   * Unaligned checkpoints: queues `event` before everything queued (it
   * overtakes the batches waiting for the consumer) and returns the payloads
   * of the batches it overtook, which stay queued and are sent after it (the
   * producer stores them as output channel state). Nothing changes for
   * credit or the queue bound: the event counts no buffer.
   */
  addPriorityEvent(event: ChannelEvent): Buffer[] {
    if (this.state !== 'open') return [];
    this.flush();
    const overtaken: Buffer[] = [];
    for (const entry of this.queue) {
      if (entry.kind === 'bytes') overtaken.push(entry.bytes.subarray(HEADER_BYTES));
      else if (entry.kind === 'records') overtaken.push(serializeBatch(entry.records, this.owner.context).subarray(HEADER_BYTES));
    }
    this.queue.unshift({ kind: 'event', event });
    // A reader waiting for credit (or for data) can send the event now.
    this.reader?.notifyDataAvailable();
    return overtaken;
  }

  peek(): QueueEntry | undefined {
    return this.queue.peek();
  }

  take(): QueueEntry | undefined {
    const entry = this.queue.shift();
    if (entry !== undefined && entry.kind !== 'event') {
      this.queuedBatches -= 1;
      if (entry.kind === 'bytes') this.bytesInQueue -= entry.bytes.length;
      if (this.queuedBatches === this.owner.maxQueuedBuffers - 1) this.owner.fullnessChanged(-1);
      this.owner.bufferTaken(this.index);
    }
    return entry;
  }

  /**
   * Attaches the one reader. Throws PartitionRequestError when the
   * subpartition already has a reader or is gone, and UnserializableRecordError
   * when batches queued before a remote reader came cannot be serialized.
   */
  attach(reader: SubpartitionReader): void {
    const { partitionId } = this.owner.context;
    if (this.state === 'released') {
      throw new PartitionRequestError(partitionId, this.index, 'released', `subpartition ${this.index} of partition ${partitionId} was released`);
    }
    if (this.reader !== undefined || this.state === 'consumed') {
      throw new PartitionRequestError(partitionId, this.index, 'already-consumed', `subpartition ${this.index} of partition ${partitionId} already has a consumer`);
    }
    if (reader.serializes) this.serializeQueued();
    else this.recordLimit = this.owner.maxRecordsPerBuffer;
    this.reader = reader;
  }

  /** The reader took end-of-partition: everything was delivered. */
  markConsumed(): void {
    if (this.state === 'released' || this.state === 'consumed') return;
    this.state = 'consumed';
    this.reader = undefined;
    this.owner.subpartitionConsumed(this.index);
  }

  /** The consumer went away (cancelled, connection lost) before the end: drop everything. */
  releaseByConsumer(error: Error, connectionBroken = false): void {
    if (this.state === 'released' || this.state === 'consumed') return;
    this.reader = undefined;
    this.drop();
    this.owner.consumerLost(this.index, error, connectionBroken);
  }

  /** The producer's side releases the subpartition; the reader is told why. */
  release(error: Error): void {
    if (this.state === 'released') return;
    const reader = this.reader;
    this.reader = undefined;
    const wasConsumed = this.state === 'consumed';
    this.drop();
    if (!wasConsumed) reader?.notifyReleased(error);
  }

  private drop(): void {
    if (this.queuedBatches >= this.owner.maxQueuedBuffers) this.owner.fullnessChanged(-1);
    this.state = 'released';
    this.queue.clear();
    this.batch = [];
    this.queuedBatches = 0;
    this.bytesInQueue = 0;
  }

  private enqueue(entry: QueueEntry): void {
    this.queue.push(entry);
    if (entry.kind !== 'event') {
      this.queuedBatches += 1;
      if (entry.kind === 'bytes') this.bytesInQueue += entry.bytes.length;
      if (this.queuedBatches === this.owner.maxQueuedBuffers) this.owner.fullnessChanged(1);
    }
    if (this.queue.length === 1) this.reader?.notifyDataAvailable();
  }

  private serializeQueued(): void {
    const entries = [...this.queue];
    if (!entries.some((e) => e.kind === 'records')) return;
    // Serialize everything first: a failure leaves the queue as it was.
    const converted = entries.flatMap((entry): QueueEntry[] =>
      entry.kind === 'records' ? this.serialize(entry.records).map((bytes) => ({ kind: 'bytes', bytes })) : [entry],
    );
    const wasFull = this.queuedBatches >= this.owner.maxQueuedBuffers;
    this.queue.clear();
    this.queuedBatches = 0;
    this.bytesInQueue = 0;
    for (const entry of converted) this.pushQuietly(entry);
    const isFull = this.queuedBatches >= this.owner.maxQueuedBuffers;
    if (wasFull !== isFull) this.owner.fullnessChanged(isFull ? 1 : -1);
  }

  private pushQuietly(entry: QueueEntry): void {
    this.queue.push(entry);
    if (entry.kind !== 'event') {
      this.queuedBatches += 1;
      if (entry.kind === 'bytes') this.bytesInQueue += entry.bytes.length;
    }
  }

  /**
   * Serializes a batch into one or more frames' worth of bytes: a batch whose
   * bytes exceed the frame limit is split in halves. Updates the estimate of
   * bytes per record that sizes later batches.
   */
  private serialize(records: unknown[]): Buffer[] {
    let bytes: Buffer;
    try {
      bytes = serializeBatch(records, this.owner.context);
    } catch (error) {
      this.owner.fail(error as Error);
      throw error;
    }
    const size = payloadBytes(bytes);
    this.learn(size, records.length);
    if (size <= this.owner.maxFrameBytes) return [bytes];
    if (records.length === 1) {
      const error = new UnserializableRecordError({
        ...this.owner.context,
        path: 'record',
        valueType: 'oversized record',
        problem: `${size} bytes serialized, more than the largest frame (${this.owner.maxFrameBytes} bytes)`,
      });
      this.owner.fail(error);
      throw error;
    }
    const half = records.length >> 1;
    return [...this.serialize(records.slice(0, half)), ...this.serialize(records.slice(half))];
  }

  /** Sizes batches from the first record (a lone record over-estimates: its shape is stored with it — the safe side). */
  private sample(record: unknown): void {
    let bytes = INITIAL_BYTES_PER_RECORD;
    try {
      bytes = payloadBytes(serializeBatch([record], this.owner.context));
    } catch {
      // Not serializable: harmless for a local consumer; a remote one fails when the batch is serialized.
    }
    this.setEstimate(bytes);
  }

  private learn(bytes: number, records: number): void {
    const observed = bytes / records;
    const previous = this.bytesPerRecord;
    this.setEstimate(previous === undefined ? observed : previous + ESTIMATE_WEIGHT * (observed - previous));
  }

  private setEstimate(bytesPerRecord: number): void {
    this.bytesPerRecord = bytesPerRecord;
    if (this.reader !== undefined && !this.reader.serializes) return; // local batches are sized by count only
    this.recordLimit = Math.max(1, Math.min(this.owner.maxRecordsPerBuffer, Math.floor(this.owner.bufferSizeBytes / Math.max(bytesPerRecord, 1))));
  }
}
