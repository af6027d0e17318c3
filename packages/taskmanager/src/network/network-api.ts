/**
 * The contract between task execution and the network stack of a
 * TaskManager. Task code sees only these interfaces; the network stack
 * implements them for local (same TaskManager, no serialization) and remote
 * (TCP to another TaskManager, serialized batches, credit-based flow control)
 * channels.
 *
 * A producing subtask writes to a ResultPartition with one subpartition per
 * consuming subtask (or a single one for 'forward'). A consuming subtask
 * reads from an InputGate with one channel per producing subtask it reads.
 */

import type { NetworkStats } from './stats.js';

/** In-band events that travel in order with the records of a channel. */
export type ChannelEvent =
  | { readonly kind: 'end-of-partition' }
  /** The producer's input ended; records no longer follow, barriers still do (it waits for the final checkpoint). */
  | { readonly kind: 'end-of-data' }
  /** Event time: no record with a timestamp <= `timestamp` follows on this channel (Flink's Watermark; +Infinity at the end of input). */
  | { readonly kind: 'watermark'; readonly timestamp: number }
  /** Event time: the producer is idle (no watermarks to expect) or active again (Flink's WatermarkStatus). */
  | { readonly kind: 'watermark-status'; readonly idle: boolean }
  /** `terminate`: the savepoint of a stop with savepoint (Flink's synchronous savepoint): tasks finish only once it completed. */
  | { readonly kind: 'barrier'; readonly checkpointId: number; readonly timestamp: number; readonly savepoint: boolean; readonly terminate?: boolean; readonly unaligned?: boolean;
      /** Set by a receiving channel (never sent): an unaligned barrier overtook this many of its received buffers, which follow it but belong before it. */
      readonly overtakenBuffers?: number };

/**
 * Globally unique id of one result partition: one producing subtask of one
 * job attempt. Format: `${jobId}/${attempt}/${vertexId}/${subtaskIndex}`.
 */
export type ResultPartitionId = string;

export function resultPartitionId(jobId: string, attempt: number, vertexId: string, subtaskIndex: number): ResultPartitionId {
  return `${jobId}/${attempt}/${vertexId}/${subtaskIndex}`;
}

export interface ResultPartitionWriter {
  readonly id: ResultPartitionId;
  readonly numberOfSubpartitions: number;
  /**
   * Appends a record to the subpartition's current batch; sends the batch
   * when full. `timestamp`: the record's event timestamp (NaN or absent:
   * none); a slot's partition carries it beside the batch (the control
   * thread's own partition, used by tools and tests, ignores it).
   */
  emit(subpartition: number, record: unknown, timestamp?: number): void;
  /**
   * As `emit`, for a record routed by its key: `keyGroup` is the key group
   * the producer computed. A consumer in the same slot's thread gets it with
   * the record, so its keyed backend does not hash the key again
   * (keyGroups in InputGateEntry). Writers that cannot carry it leave this out.
   */
  emitInKeyGroup?(subpartition: number, record: unknown, timestamp: number, keyGroup: number): void;
  /** Appends the record to every subpartition. */
  broadcastEmit(record: unknown, timestamp?: number): void;
  /**
   * Queues one batch serialized elsewhere (a slot's thread): `bytes` starts
   * with HEADER_BYTES of header space, then the batch as `serializeBatch`
   * encodes it. Flushes the batch being filled first, so order is kept.
   */
  emitSerialized(subpartition: number, bytes: Buffer): void;
  /** Sends every non-empty batch now (buffer timeout, before events, at end). */
  flushAll(): void;
  /** Flushes, then sends the event to every subpartition, in order after all records. */
  broadcastEvent(event: ChannelEvent): void;
  /** Unaligned checkpoints: `event` overtakes the queued batches of every subpartition; per subpartition, the payloads overtaken (still sent after it). */
  broadcastPriorityEvent?(event: ChannelEvent): Buffer[][];
  /** Restore of an unaligned checkpoint: sends a batch's payload stored as output channel state, before any new record. */
  replayBatch?(subpartition: number, payload: Buffer): void;
  /**
   * True while every subpartition can take more data without exceeding its
   * bound (no credit and a full queue means false). Producers check this
   * between batches of work and wait on `whenAvailable()` when false.
   */
  isAvailable(): boolean;
  whenAvailable(): Promise<void>;
  /**
   * Resolves when every consumer has received everything up to and
   * including end-of-partition (call after broadcasting it).
   */
  whenFullyConsumed(): Promise<void>;
  /** Releases buffers; pending consumers receive an error naming the reason. */
  release(reason?: Error): void;
}

/** What a consumer needs to find one producing subtask's subpartition. */
export interface InputChannelDescriptor {
  readonly partitionId: ResultPartitionId;
  readonly subpartitionIndex: number;
  /** 'local' when the producer runs in this TaskManager, else its data address. */
  readonly location: 'local' | { readonly host: string; readonly port: number };
  /** The producer runs in the consumer's slot: its records stay in that slot's thread. */
  readonly sameSlot?: boolean;
}

export type InputGateEntry =
  /** `timestamps[i]`: event timestamp of record i (NaN: none); absent when no record of the batch has one. */
  /** `keyGroups[i]`: key group of record i as its producer routed it (-1: unknown); only from a producer in the same slot's thread on a keyed edge. */
  | { readonly channel: number; readonly records: readonly unknown[]; readonly timestamps?: ArrayLike<number> | undefined; readonly keyGroups?: ArrayLike<number> | undefined }
  | { readonly channel: number; readonly event: ChannelEvent };

/**
 * What a raw gate (`createInputGate(..., { raw: true })`) returns: batches
 * stay serialized (the payload of a BUFFER frame, without its header), for a
 * consumer that decodes them elsewhere (a slot's thread).
 */
export type RawInputGateEntry =
  | { readonly channel: number; readonly payload: Buffer }
  | { readonly channel: number; readonly event: ChannelEvent };

export interface InputGate<Entry = InputGateEntry> {
  readonly numberOfChannels: number;
  /**
   * The next batch or event from any unblocked channel (fair between
   * channels), or undefined when nothing is available now. Taking a batch
   * returns credit to its channel.
   */
  poll(): Entry | undefined;
  /** Resolves when `poll()` may return something (or the gate failed/finished). */
  whenAvailable(): Promise<void>;
  /** True once every channel delivered end-of-partition and was drained. */
  readonly finished: boolean;
  /** Set when a channel failed (producer gone, connection broken, bad frame). */
  readonly failure: Error | undefined;
  /** Barrier alignment: a blocked channel is not polled until unblocked. */
  blockChannel(channel: number): void;
  unblockChannel(channel: number): void;
  close(): void;
}

export interface NetworkEnvironment {
  /** Binds the data server; resolves with the bound port (0 = any free port). */
  start(host: string, port: number): Promise<number>;
  createResultPartition(id: ResultPartitionId, numberOfSubpartitions: number, options: { readonly owner: string }): ResultPartitionWriter;
  createInputGate(channels: readonly InputChannelDescriptor[], options: { readonly owner: string }): InputGate;
  /** A gate whose batches stay serialized (see RawInputGateEntry). */
  createRawInputGate(channels: readonly InputChannelDescriptor[], options: { readonly owner: string }): InputGate<RawInputGateEntry>;
  /** Releases every partition and gate of a job attempt (cancel, failure). */
  releaseJob(jobId: string, attempt: number): void;
  /** Totals and queue lengths, for metrics, tests and benchmarks. */
  stats(): NetworkStats;
  stop(): Promise<void>;
}
