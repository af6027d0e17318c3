import type { ChannelEvent, InputChannelDescriptor } from '../../network/network-api.js';

/**
 * The messages between the tasks' side of a slot's data exchange
 * (ThreadResultPartition, ThreadInputGate) and its socket side
 * (SocketExchange: the slot thread's own network stack). Both sides run in
 * the slot's thread; the messages are plain calls, kept as tagged objects so
 * the two sides stay decoupled and each can be tested alone.
 *
 * Invariants:
 * - per result partition, the tasks' side has at most `maxQueuedBuffers`
 *   batches per subpartition queued on the socket side (it counts
 *   `partition-taken`);
 * - per input channel, the socket side hands at most `gateCredit` batches
 *   that the task has not yet taken (it counts `gate-credit`).
 */

/** Tasks' side -> socket side. */
export type ToSocket =
  /** `inThread`: subpartitions read by tasks of this slot, never queued on the socket side. */
  | { readonly kind: 'partition-create'; readonly partitionId: string; readonly subpartitions: number; readonly inThread: readonly number[]; readonly owner: string }
  /** A serialized batch (its first HEADER_BYTES bytes are room for the frame header). */
  | { readonly kind: 'partition-buffer'; readonly partitionId: string; readonly subpartition: number; readonly bytes: Buffer }
  | { readonly kind: 'partition-event'; readonly partitionId: string; readonly event: ChannelEvent }
  /**
   * Unaligned checkpoints: the event overtakes the batches queued on the
   * socket side; it fills `overtaken` (per subpartition, the payloads it
   * overtook) before `handle` returns — both sides run in the same thread.
   */
  | { readonly kind: 'partition-priority-event'; readonly partitionId: string; readonly event: ChannelEvent; readonly overtaken: Buffer[][] }
  | { readonly kind: 'partition-release'; readonly partitionId: string; readonly message: string }
  | { readonly kind: 'gate-create'; readonly gateId: number; readonly channels: readonly InputChannelDescriptor[]; readonly owner: string }
  | { readonly kind: 'gate-credit'; readonly gateId: number; readonly channel: number }
  | { readonly kind: 'gate-close'; readonly gateId: number };

/** Socket side -> tasks' side. */
export type ToTasks =
  | { readonly kind: 'partition-taken'; readonly partitionId: string; readonly subpartition: number }
  | { readonly kind: 'partition-failed'; readonly partitionId: string; readonly message: string }
  | { readonly kind: 'partition-consumed'; readonly partitionId: string; readonly error: string | undefined }
  | { readonly kind: 'gate-buffer'; readonly gateId: number; readonly channel: number; readonly payload: Buffer }
  | { readonly kind: 'gate-event'; readonly gateId: number; readonly channel: number; readonly event: ChannelEvent }
  | { readonly kind: 'gate-failed'; readonly gateId: number; readonly message: string };
