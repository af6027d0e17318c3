import { HEADER_BYTES } from '../../network/frames.js';
import { Notifier, Outcome } from '../../network/notifier.js';
import { UnserializableRecordError } from '../../network/errors.js';
import type { ChannelEvent, ResultPartitionWriter } from '../../network/network-api.js';
import { decodeBatch, payloadBytes, serializeBatch, type SerializationContext } from '../../network/record-serializer.js';
import type { SlotNetworkSettings } from '../../protocol/slot-messages.js';
import type { ToSocket } from './exchange-messages.js';
import type { InThreadChannel } from './in-thread-channels.js';
import { createRecordCopySite, type RecordCopySite } from '../../records/record-copy.js';
import { BufferDebloater, type DebloatSettings } from './buffer-debloater.js';

/** The guess of serialized bytes per record before the first batch was measured. */
const INITIAL_BYTES_PER_RECORD = 32;
const ESTIMATE_WEIGHT = 0.3;

/**
 * A result partition as a task in a slot's thread writes it: records are
 * batched per subpartition, each full batch is serialized here (so the
 * producing task pays for it, and an unserializable record fails the task
 * that emitted it, wherever its consumer runs) and handed to the socket
 * side (SocketExchange), which queues it in the slot thread's own network
 * stack, whose data server sends it to consumers in other slots. A
 * subpartition whose consumer runs in the same slot skips all that: its
 * batches stay arrays in this thread, of copies taken as the records are
 * emitted (records/record-copy.ts: the copier rejects what the serializer
 * rejects, with the same error, and the consumer gets records of its own, as
 * a local channel in Flink gives a deserialized copy whatever
 * `pipeline.object-reuse` says).
 *
 * Invariants:
 * - batches and events of a subpartition are posted in emit order;
 * - at most `maxQueuedBuffers` batches per subpartition are posted and not
 *   yet taken by a reader (`isAvailable()` is false while one is at the
 *   bound), so a slow consumer stops this producer without unbounded memory;
 * - no record waits in a partly filled batch longer than the buffer timeout;
 * - after a failure every call throws it.
 */
export class ThreadResultPartition implements ResultPartitionWriter {
  /** Bytes of the batches serialized for consumers outside the slot's thread (Flink's numBytesOut). */
  bytesOut = 0;
  private readonly batches: unknown[][];
  /**
   * Per subpartition, the event timestamps of its current batch (NaN: none),
   * created by the first record with a timestamp; undefined while no record
   * of the batch has one (the no-timestamp path allocates nothing).
   */
  private readonly stamps: (number[] | undefined)[];
  /**
   * Per subpartition read in this thread and written by key, the key groups
   * of its current batch's records (emitInKeyGroup); undefined otherwise.
   */
  private readonly groups: (number[] | undefined)[];
  private readonly queued: number[];
  private fullSubpartitions = 0;
  /** Per subpartition, the records a batch holds before it leaves. */
  private readonly recordLimits: number[];
  /** Per subpartition sent to the socket side, its batch size when debloating (else undefined). */
  private readonly debloaters: readonly (BufferDebloater | undefined)[];
  private bytesPerRecord: number | undefined;
  private readonly availability = new Notifier();
  private readonly consumed = new Outcome();
  private failure: Error | undefined;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly context: SerializationContext;
  /** Subpartitions read in this thread, and how many of them took end-of-partition. */
  private readonly inThread: ReadonlyMap<number, InThreadChannel>;
  /** A copier per subpartition read in this thread (its records' shapes are its own), else undefined. */
  private readonly copiers: readonly (RecordCopySite | undefined)[];
  private inThreadConsumed = 0;
  /** Subpartitions whose in-thread reader went away: their records are dropped. */
  private readonly gone = new Set<number>();
  /** The socket side's share was consumed (true at once when it has none). */
  private socketConsumed: boolean;
  private readonly hasSocketShare: boolean;

  constructor(
    readonly id: string,
    readonly numberOfSubpartitions: number,
    owner: string,
    private readonly settings: SlotNetworkSettings,
    private readonly post: (message: ToSocket) => void,
    inThread: ReadonlyMap<number, InThreadChannel> = new Map(),
  ) {
    this.context = { partitionId: id, owner };
    this.batches = Array.from({ length: numberOfSubpartitions }, () => []);
    this.stamps = new Array<number[] | undefined>(numberOfSubpartitions).fill(undefined);
    this.groups = new Array<number[] | undefined>(numberOfSubpartitions).fill(undefined);
    this.queued = new Array<number>(numberOfSubpartitions).fill(0);
    this.inThread = inThread;
    this.copiers = Array.from({ length: numberOfSubpartitions }, (_, s) => (inThread.has(s) ? createRecordCopySite(this.context) : undefined));
    const debloat = settings.debloat;
    const now = performance.now();
    this.debloaters = Array.from({ length: numberOfSubpartitions }, (_, s) => {
      if (debloat === undefined) return undefined;
      return new BufferDebloater(inThread.has(s) ? inThreadDebloat(debloat, settings) : debloat, now);
    });
    this.recordLimits = Array.from({ length: numberOfSubpartitions }, (_, s) => (inThread.has(s) ? this.inThreadLimit(s) : this.limitFor(s, INITIAL_BYTES_PER_RECORD)));
    for (const [subpartition, channel] of inThread) {
      channel.attachWriter({
        taken: () => this.onTaken(subpartition),
        consumed: () => this.onInThreadConsumed(),
        readerGone: (error) => this.onReaderGone(subpartition, error),
      });
    }
    this.hasSocketShare = inThread.size < numberOfSubpartitions;
    this.socketConsumed = !this.hasSocketShare;
    if (this.hasSocketShare) post({ kind: 'partition-create', partitionId: id, subpartitions: numberOfSubpartitions, inThread: [...inThread.keys()], owner });
    else if (numberOfSubpartitions === 0) this.consumed.resolve();
  }

  emit(subpartition: number, record: unknown, timestamp = NaN): void {
    if (this.failure !== undefined || this.finished) this.throwUnusable();
    const batch = this.batches[subpartition];
    if (batch === undefined) throw new RangeError(`partition ${this.id} has no subpartition ${subpartition}`);
    const copier = this.copiers[subpartition];
    batch.push(copier === undefined ? record : this.copyForThisThread(copier, record));
    const stamps = this.stamps[subpartition];
    if (stamps !== undefined) stamps.push(timestamp);
    else if (timestamp === timestamp) this.startStamps(subpartition, batch.length, timestamp);
    const groups = this.groups[subpartition];
    if (groups !== undefined) groups.push(-1);
    if (batch.length >= this.recordLimits[subpartition]!) this.flush(subpartition);
    else if (batch.length === 1) this.armTimer();
  }

  /**
   * As `emit`; a subpartition read in this thread keeps `keyGroup` beside
   * the record, so the consumer's keyed backend takes it instead of hashing
   * the key again (the same job-wide max parallelism on both ends).
   */
  emitInKeyGroup(subpartition: number, record: unknown, timestamp: number, keyGroup: number): void {
    const copier = this.copiers[subpartition];
    if (copier === undefined) return this.emit(subpartition, record, timestamp);
    if (this.failure !== undefined || this.finished) this.throwUnusable();
    const batch = this.batches[subpartition]!;
    batch.push(this.copyForThisThread(copier, record));
    const stamps = this.stamps[subpartition];
    if (stamps !== undefined) stamps.push(timestamp);
    else if (timestamp === timestamp) this.startStamps(subpartition, batch.length, timestamp);
    const groups = this.groups[subpartition];
    if (groups !== undefined) groups.push(keyGroup);
    else this.startGroups(subpartition, batch.length, keyGroup);
    if (batch.length >= this.recordLimits[subpartition]!) this.flush(subpartition);
    else if (batch.length === 1) this.armTimer();
  }

  /** The first record with a key group in the batch (of `length` records): the ones before it have none (-1). */
  private startGroups(subpartition: number, length: number, keyGroup: number): void {
    const groups = length === 1 ? [] : new Array<number>(length - 1).fill(-1);
    groups.push(keyGroup);
    this.groups[subpartition] = groups;
  }

  broadcastEmit(record: unknown, timestamp = NaN): void {
    for (let s = 0; s < this.numberOfSubpartitions; s++) this.emit(s, record, timestamp);
  }

  /** The first record with a timestamp in the batch (of `length` records): the ones before it have none. */
  private startStamps(subpartition: number, length: number, timestamp: number): void {
    const stamps = new Array<number>(length).fill(NaN);
    stamps[length - 1] = timestamp;
    this.stamps[subpartition] = stamps;
  }

  emitSerialized(): void {
    throw new Error('a slot serializes its own batches');
  }

  flushAll(): void {
    if (this.failure !== undefined) throw this.failure;
    this.cancelTimer();
    for (let s = 0; s < this.numberOfSubpartitions; s++) this.flush(s);
  }

  broadcastEvent(event: ChannelEvent): void {
    if (this.failure !== undefined || this.finished) this.throwUnusable();
    this.flushAll();
    if (this.hasSocketShare) this.post({ kind: 'partition-event', partitionId: this.id, event });
    for (const channel of this.inThread.values()) channel.send({ event });
    if (event.kind === 'end-of-partition') this.finished = true;
  }

  /**
   * Unaligned checkpoints: flushes, then sends `event` ahead of every batch
   * queued for a consumer outside this thread (on the socket side) and
   * returns, per subpartition, the payloads it overtook: the producer's
   * output channel state. A consumer in this thread gets the event at once
   * too; its gate lets it overtake what it has queued and stores those
   * batches itself (input channel state), so its entry here is empty.
   */
  broadcastPriorityEvent(event: ChannelEvent): Buffer[][] {
    if (this.failure !== undefined || this.finished) this.throwUnusable();
    this.flushAll();
    const overtaken: Buffer[][] = [];
    if (this.hasSocketShare) this.post({ kind: 'partition-priority-event', partitionId: this.id, event, overtaken });
    for (const channel of this.inThread.values()) channel.send({ event });
    return Array.from({ length: this.numberOfSubpartitions }, (_, s) => (this.inThread.has(s) ? [] : overtaken[s] ?? []));
  }

  /**
   * Restore of an unaligned checkpoint: a batch this subtask had emitted
   * but its consumer had not taken (output channel state), sent again
   * before any new record, as a batch of its own.
   */
  replayBatch(subpartition: number, payload: Buffer): void {
    if (this.failure !== undefined || this.finished) this.throwUnusable();
    if (subpartition < 0 || subpartition >= this.numberOfSubpartitions) throw new RangeError(`partition ${this.id} has no subpartition ${subpartition}`);
    this.flush(subpartition);
    const channel = this.inThread.get(subpartition);
    if (channel !== undefined) {
      if (this.gone.has(subpartition)) return;
      const batch = decodeBatch(payload);
      channel.send({ records: batch.records, timestamps: batch.timestamps === undefined ? undefined : Array.from(batch.timestamps) });
      this.countQueued(subpartition);
      return;
    }
    const bytes = Buffer.allocUnsafe(HEADER_BYTES + payload.byteLength);
    payload.copy(bytes, HEADER_BYTES);
    this.bytesOut += payload.byteLength;
    this.post({ kind: 'partition-buffer', partitionId: this.id, subpartition, bytes });
    this.countQueued(subpartition);
  }

  isAvailable(): boolean {
    return this.fullSubpartitions === 0 || this.failure !== undefined;
  }

  whenAvailable(): Promise<void> {
    return this.isAvailable() ? Promise.resolve() : this.availability.wait();
  }

  whenFullyConsumed(): Promise<void> {
    return this.consumed.promise;
  }

  release(reason?: Error): void {
    if (this.failure !== undefined) return;
    this.fail(new Error(`partition ${this.id} was released${reason ? `: ${reason.message}` : ''}`, { cause: reason }));
    if (this.hasSocketShare) this.post({ kind: 'partition-release', partitionId: this.id, message: reason?.message ?? 'released by its task' });
  }

  // From the socket side

  onTaken(subpartition: number): void {
    if (this.gone.has(subpartition)) return;
    const queued = (this.queued[subpartition] ?? 0) - 1;
    this.queued[subpartition] = queued;
    const debloater = this.debloaters[subpartition];
    if (debloater !== undefined && debloater.onTaken(performance.now())) {
      if (this.inThread.has(subpartition)) this.recordLimits[subpartition] = debloater.size;
      else if (this.bytesPerRecord !== undefined) this.recordLimits[subpartition] = this.limitFor(subpartition, this.bytesPerRecord);
    }
    if (queued === this.settings.maxQueuedBuffers - 1) {
      this.fullSubpartitions -= 1;
      if (this.fullSubpartitions === 0) this.availability.notify();
    }
  }

  onConsumed(error: string | undefined): void {
    if (error !== undefined) return this.consumed.reject(new Error(error));
    this.socketConsumed = true;
    this.checkConsumed();
  }

  fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.cancelTimer();
    this.consumed.reject(error);
    this.availability.notify();
    for (const channel of this.inThread.values()) channel.producerGone(error);
  }

  private onInThreadConsumed(): void {
    this.inThreadConsumed += 1;
    this.checkConsumed();
  }

  private checkConsumed(): void {
    if (this.socketConsumed && this.inThreadConsumed === this.inThread.size) this.consumed.resolve();
  }

  /** The consumer in this thread went away (cancelled): nothing more goes to it, and nothing waits for it. */
  private onReaderGone(subpartition: number, error: Error): void {
    if (this.gone.has(subpartition)) return;
    this.gone.add(subpartition);
    if ((this.queued[subpartition] ?? 0) >= this.settings.maxQueuedBuffers) {
      this.fullSubpartitions -= 1;
      if (this.fullSubpartitions === 0) this.availability.notify();
    }
    this.queued[subpartition] = 0;
    this.batches[subpartition] = [];
    this.stamps[subpartition] = undefined;
    this.groups[subpartition] = undefined;
    this.consumed.reject(new Error(`the consumer of subpartition ${subpartition} of partition ${this.id} went away: ${error.message}`));
  }

  private flush(subpartition: number): void {
    const records = this.batches[subpartition]!;
    if (records.length === 0) return;
    this.batches[subpartition] = [];
    const timestamps = this.stamps[subpartition];
    this.stamps[subpartition] = undefined;
    const channel = this.inThread.get(subpartition);
    if (channel !== undefined) {
      const keyGroups = this.groups[subpartition];
      this.groups[subpartition] = undefined;
      if (this.gone.has(subpartition)) return;
      this.debloaters[subpartition]?.onPosted(records.length);
      channel.send({ records, timestamps, keyGroups });
      this.countQueued(subpartition);
      return;
    }
    const debloater = this.debloaters[subpartition];
    for (const bytes of this.serialize(records, timestamps)) {
      this.bytesOut += bytes.byteLength;
      debloater?.onPosted(bytes.byteLength);
      this.post({ kind: 'partition-buffer', partitionId: this.id, subpartition, bytes });
      this.countQueued(subpartition);
    }
  }

  private copyForThisThread(copier: RecordCopySite, record: unknown): unknown {
    try {
      return copier.copy(record);
    } catch (error) {
      this.fail(error as Error);
      throw error;
    }
  }

  private countQueued(subpartition: number): void {
    const queued = (this.queued[subpartition] ?? 0) + 1;
    this.queued[subpartition] = queued;
    if (queued === this.settings.maxQueuedBuffers) this.fullSubpartitions += 1;
  }

  /** One or more frames' worth of bytes (a batch over the frame limit is split in halves). */
  private serialize(records: unknown[], timestamps: number[] | undefined): Buffer[] {
    let bytes: Buffer;
    try {
      bytes = serializeBatch(records, this.context, timestamps);
    } catch (error) {
      this.fail(error as Error);
      throw error;
    }
    const size = payloadBytes(bytes);
    this.learn(size, records.length);
    if (size <= this.settings.maxFrameBytes - HEADER_BYTES) return [bytes];
    if (records.length === 1) {
      const error = new UnserializableRecordError({
        ...this.context,
        path: 'record',
        valueType: 'oversized record',
        problem: `${size} bytes serialized, more than the largest frame (${this.settings.maxFrameBytes} bytes)`,
      });
      this.fail(error);
      throw error;
    }
    const half = records.length >> 1;
    return [...this.serialize(records.slice(0, half), timestamps?.slice(0, half)), ...this.serialize(records.slice(half), timestamps?.slice(half))];
  }

  private learn(bytes: number, records: number): void {
    const observed = bytes / records;
    const previous = this.bytesPerRecord;
    const estimate = previous === undefined ? observed : previous + ESTIMATE_WEIGHT * (observed - previous);
    this.bytesPerRecord = estimate;
    for (let s = 0; s < this.numberOfSubpartitions; s++) if (!this.inThread.has(s)) this.recordLimits[s] = this.limitFor(s, estimate);
  }

  /**
   * Records per batch of a subpartition sent to the socket side:
   * its batch size in bytes (the debloated one, else the buffer size) over
   * the bytes per record; at most `maxRecordsPerBuffer` per buffer size's
   * worth of bytes.
   */
  private limitFor(subpartition: number, bytesPerRecord: number): number {
    const { settings } = this;
    const bytes = this.debloaters[subpartition]?.size ?? settings.bufferSizeBytes;
    const recordCap = Math.max(1, Math.round((settings.maxRecordsPerBuffer * bytes) / settings.bufferSizeBytes));
    return Math.max(1, Math.min(recordCap, Math.floor(bytes / Math.max(bytesPerRecord, 1))));
  }

  /** Records per batch of a subpartition read in this thread: its debloated size, else the cap. */
  private inThreadLimit(subpartition: number): number {
    return this.debloaters[subpartition]?.size ?? this.settings.maxRecordsPerBuffer;
  }

  private armTimer(): void {
    if (this.timer !== undefined || this.settings.bufferTimeoutMs < 0) return;
    if (this.settings.bufferTimeoutMs === 0) {
      this.flushAll();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.failure !== undefined) return;
      try {
        this.flushAll();
      } catch {
        // The partition failed; the producer's next call throws the reason.
      }
    }, this.settings.bufferTimeoutMs);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private throwUnusable(): never {
    if (this.failure !== undefined) throw this.failure;
    throw new Error(`partition ${this.id} (owner ${this.context.owner}) already ended (end-of-partition was broadcast)`);
  }
}

/**
 * Debloating of a channel inside the slot's thread: in records (nothing is
 * serialized), up to `maxQueuedBuffers` batches in flight, at most
 * `maxRecordsPerBuffer` per batch, starting at an eighth of that.
 */
function inThreadDebloat(debloat: DebloatSettings, settings: SlotNetworkSettings): DebloatSettings {
  const max = settings.maxRecordsPerBuffer;
  return { ...debloat, inFlightBatches: settings.maxQueuedBuffers, min: 1, max, initial: Math.max(1, Math.ceil(max / 8)) };
}
