import { IllegalStateError, type Logger } from '@rivulet/common/task-runtime';
import { PartitionReleasedError } from './errors.js';
import type { ChannelEvent, ResultPartitionId, ResultPartitionWriter } from './network-api.js';
import { Notifier, Outcome } from './notifier.js';
import type { ResolvedNetworkOptions } from './options.js';
import type { SerializationContext } from './record-serializer.js';
import { Subpartition, type SubpartitionOwner } from './subpartition.js';

export interface ResultPartitionHooks {
  /** The partition is released, failed, or fully consumed: the registry forgets it. */
  readonly retired: (partition: ResultPartition, why: string) => void;
  /** A reader took a batch of `subpartition` (a slot's thread counts what it may still queue). */
  readonly bufferTaken?: (subpartition: number) => void;
}

/**
 * The producer's side of one result partition.
 *
 * Invariants:
 * - records of one subpartition leave in emit order; an event follows every
 *   record emitted before it (`broadcastEvent` flushes first);
 * - no record waits in a partly filled batch longer than the buffer timeout
 *   (a timer armed by the first record after a flush);
 * - `isAvailable()` is false exactly while some subpartition holds
 *   `maxQueuedBuffersPerSubpartition` full batches (or more) and the partition
 *   has not failed: with credit-based flow control that bounds the memory
 *   of a producer whose consumer does not keep up;
 * - after a failure or release every further call throws the reason, and
 *   `whenAvailable()` resolves so a waiting producer finds out.
 */
export class ResultPartition implements ResultPartitionWriter, SubpartitionOwner {
  readonly context: SerializationContext;
  readonly bufferSizeBytes: number;
  readonly maxRecordsPerBuffer: number;
  readonly maxFrameBytes: number;
  readonly maxQueuedBuffers: number;
  readonly subpartitions: readonly Subpartition[];
  private readonly bufferTimeoutMs: number;
  private readonly log: Logger;
  private fullSubpartitions = 0;
  private consumedSubpartitions = 0;
  private readonly availability = new Notifier();
  private readonly consumed = new Outcome();
  private failure: Error | undefined;
  private finished = false;
  /** True while a flush is scheduled (or, with a timeout of -1, forever: no timer is ever needed). */
  private flushPending: boolean;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: ResultPartitionId,
    readonly numberOfSubpartitions: number,
    readonly owner: string,
    options: ResolvedNetworkOptions,
    private readonly hooks: ResultPartitionHooks,
  ) {
    if (!Number.isInteger(numberOfSubpartitions) || numberOfSubpartitions < 0) {
      throw new RangeError(`partition ${id}: numberOfSubpartitions must be a non-negative integer, got ${numberOfSubpartitions}`);
    }
    this.context = { partitionId: id, owner };
    this.bufferSizeBytes = options.bufferSizeBytes;
    this.maxRecordsPerBuffer = options.maxRecordsPerBuffer;
    this.maxFrameBytes = options.maxFrameBytes;
    this.maxQueuedBuffers = options.maxQueuedBuffersPerSubpartition;
    this.bufferTimeoutMs = options.bufferTimeoutMs;
    this.flushPending = options.bufferTimeoutMs < 0;
    this.log = options.log.child({ partitionId: id, owner });
    this.subpartitions = Array.from({ length: numberOfSubpartitions }, (_, i) => new Subpartition(i, this));
  }

  emit(subpartition: number, record: unknown): void {
    if (this.failure !== undefined || this.finished) this.throwUnusable();
    const target = this.subpartitions[subpartition];
    if (target === undefined) throw new RangeError(`partition ${this.id} has no subpartition ${subpartition}`);
    target.append(record);
    if (!this.flushPending) this.scheduleFlush(target);
  }

  broadcastEmit(record: unknown): void {
    if (this.failure !== undefined || this.finished) this.throwUnusable();
    for (const target of this.subpartitions) target.append(record);
    if (!this.flushPending) this.scheduleFlush(undefined);
  }

  emitSerialized(subpartition: number, bytes: Buffer): void {
    if (this.failure !== undefined || this.finished) this.throwUnusable();
    const target = this.subpartitions[subpartition];
    if (target === undefined) throw new RangeError(`partition ${this.id} has no subpartition ${subpartition}`);
    target.appendSerialized(bytes);
  }

  flushAll(): void {
    if (this.failure !== undefined) throw this.failure;
    this.cancelTimer();
    for (const target of this.subpartitions) target.flush();
  }

  broadcastEvent(event: ChannelEvent): void {
    if (this.failure !== undefined || this.finished) this.throwUnusable();
    this.flushAll();
    for (const target of this.subpartitions) target.addEvent(event);
    if (event.kind === 'end-of-partition') {
      this.finished = true;
      if (this.numberOfSubpartitions === 0) this.allConsumed();
    }
  }

  /** Unaligned checkpoints: `event` overtakes every subpartition's queue; per subpartition, the payloads it overtook. */
  broadcastPriorityEvent(event: ChannelEvent): Buffer[][] {
    if (this.failure !== undefined || this.finished) this.throwUnusable();
    this.flushAll();
    return this.subpartitions.map((target) => target.addPriorityEvent(event));
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
    const suffix = reason ? `: ${reason.message}` : '';
    this.terminate(new PartitionReleasedError(this.id, `partition ${this.id} (owner ${this.owner}) was released${suffix}`, { cause: reason }));
  }

  /** Serialization failed (or the job attempt is released): every consumer gets `error`. */
  fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.log.error({ err: error.message }, 'Result partition failed');
    this.terminate(error);
  }

  get isTerminated(): boolean {
    return this.failure !== undefined;
  }

  // SubpartitionOwner

  fullnessChanged(delta: 1 | -1): void {
    this.fullSubpartitions += delta;
    if (this.fullSubpartitions === 0) this.availability.notify();
  }

  bufferTaken(index: number): void {
    this.hooks.bufferTaken?.(index);
  }

  subpartitionConsumed(): void {
    this.consumedSubpartitions += 1;
    if (this.consumedSubpartitions === this.numberOfSubpartitions) this.allConsumed();
  }

  consumerLost(index: number, error: Error, connectionBroken: boolean): void {
    this.log.warn({ subpartition: index, err: error.message, connectionBroken }, 'Consumer of a subpartition went away before the end');
    const lost = new PartitionReleasedError(this.id, `subpartition ${index} of partition ${this.id} (owner ${this.owner}) lost its consumer: ${error.message}`, { cause: error });
    // A broken data connection fails the producer too (both ends report it); a consumer that cancelled its channel does not.
    if (connectionBroken && this.failure === undefined && !this.finished) this.terminate(lost);
    else this.consumed.reject(lost);
  }

  private allConsumed(): void {
    this.consumed.resolve();
    this.hooks.retired(this, `partition ${this.id} was fully consumed`);
  }

  private terminate(error: Error): void {
    this.failure = error;
    this.cancelTimer();
    this.flushPending = true;
    for (const target of this.subpartitions) target.release(error);
    this.consumed.reject(error);
    this.availability.notify();
    this.hooks.retired(this, error.message);
  }

  private throwUnusable(): never {
    if (this.failure !== undefined) throw this.failure;
    throw new IllegalStateError(`partition ${this.id} (owner ${this.owner}) already ended (end-of-partition was broadcast)`);
  }

  /** First record after a flush: arm the buffer timeout (0 = send now). */
  private scheduleFlush(target: Subpartition | undefined): void {
    if (this.bufferTimeoutMs === 0) {
      if (target) target.flush();
      else this.flushAll();
      return;
    }
    this.flushPending = true;
    this.timer = setTimeout(() => this.onBufferTimeout(), this.bufferTimeoutMs);
    this.timer.unref();
  }

  private onBufferTimeout(): void {
    this.timer = undefined;
    this.flushPending = false;
    if (this.failure !== undefined) return;
    try {
      this.flushAll();
    } catch {
      // The partition failed (fail() logged it and told the consumers); the producer's next call throws.
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flushPending = this.bufferTimeoutMs < 0;
    }
  }
}
