/**
 * The protocol between a TaskManager's control thread and the thread of one
 * of its slots, over the worker's MessagePort. Like the `.proto` files are
 * for the network, this module is the whole contract: every message is a
 * plain object tagged by `kind`, and batches of records travel as
 * transferred `ArrayBuffer`s (serialized once by the producing slot, decoded
 * once by the consuming slot; the control thread only moves them).
 *
 * Invariants:
 * - the control thread never runs user code and never decodes a record;
 * - a slot never talks to the JobManager or to another TaskManager itself:
 *   task reports, checkpoint acknowledgements and data go through the
 *   control thread, which owns registration, fencing and the data port;
 * - per result partition, a slot queues at most `maxQueuedBuffers` batches
 *   per subpartition on the control thread (it counts `partition-taken`);
 *   per input channel, the control thread hands a slot at most
 *   `gateCredit` batches it has not yet taken (it counts `gate-credit`).
 */
import type { SnapshotLocation, TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import type { ChannelEvent, InputChannelDescriptor } from '../network/network-api.js';
import type { LocalRead, LocalStateFile } from '../slot/checkpointing/task-checkpointing.js';
import type { BarrierInfo } from '../slot/checkpointing/barrier-aligner.js';
import type { TaskReport } from '../slot/task/task-report.js';
import type { DebloatSettings } from '../slot/exchange/buffer-debloater.js';

/** What a slot's thread is started with (`workerData`). */
export interface SlotThreadData {
  readonly slotIndex: number;
  readonly resourceId: string;
  /** The TaskManager's resolved configuration (plain data). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly network: SlotNetworkSettings;
  /** Where this slot's thread marks which task runs (an Int32Array over a SharedArrayBuffer): read after it died. */
  readonly runningTask: SharedArrayBuffer;
}

export interface SlotNetworkSettings {
  readonly bufferSizeBytes: number;
  readonly bufferTimeoutMs: number;
  readonly maxRecordsPerBuffer: number;
  readonly maxQueuedBuffers: number;
  readonly maxFrameBytes: number;
  /** Batches of one input channel the control thread hands over before the slot took them. */
  readonly gateCredit: number;
  /** Batch sizes of subpartitions sent through the control thread follow their consumers (undefined: always bufferSizeBytes). */
  readonly debloat: DebloatSettings | undefined;
}

/** Control thread -> slot. */
export type ToSlot =
  /** `taskNumber`: what the slot writes to `runningTask` while this task runs. */
  | { readonly kind: 'deploy'; readonly descriptor: TaskDeploymentDescriptor; readonly bundlePath: string; readonly taskNumber: number }
  | { readonly kind: 'cancel'; readonly attemptId: string }
  | {
    readonly kind: 'trigger-checkpoint';
    readonly attemptId: string;
    readonly barrier: BarrierInfo;
    readonly location: SnapshotLocation | undefined;
    readonly trigger: boolean;
    readonly terminate: boolean;
  }
  | { readonly kind: 'checkpoint-complete'; readonly attemptId: string; readonly checkpointId: number; readonly final: boolean }
  /** The checkpoint failed: a task stopping with it as its savepoint runs on. */
  | { readonly kind: 'checkpoint-aborted'; readonly attemptId: string; readonly checkpointId: number }
  | { readonly kind: 'partition-taken'; readonly partitionId: string; readonly subpartition: number }
  | { readonly kind: 'partition-failed'; readonly partitionId: string; readonly message: string }
  | { readonly kind: 'partition-consumed'; readonly partitionId: string; readonly error: string | undefined }
  | { readonly kind: 'gate-buffer'; readonly gateId: number; readonly channel: number; readonly payload: Uint8Array }
  | { readonly kind: 'gate-event'; readonly gateId: number; readonly channel: number; readonly event: ChannelEvent }
  | { readonly kind: 'gate-failed'; readonly gateId: number; readonly message: string }
  | { readonly kind: 'reply'; readonly requestId: number; readonly result: LocalRead }
  /** A split enumerator's event for the source operator `operatorId` of a task (encoded: operator-events.ts). */
  | { readonly kind: 'operator-event'; readonly attemptId: string; readonly operatorId: string; readonly event: Uint8Array }
  /** An event of the task's source reader could not reach the JobManager: the task fails with `reason`. */
  | { readonly kind: 'operator-event-undeliverable'; readonly attemptId: string; readonly reason: string };

/** Slot -> control thread. */
export type FromSlot =
  | { readonly kind: 'ready' }
  | { readonly kind: 'task-report'; readonly attemptId: string; readonly report: TaskReport }
  | { readonly kind: 'task-ended'; readonly attemptId: string }
  | { readonly kind: 'checkpoint-ack'; readonly attemptId: string; readonly checkpointId: number; readonly stateHandles: Uint8Array; readonly endOfData: boolean }
  | { readonly kind: 'checkpoint-decline'; readonly attemptId: string; readonly checkpointId: number; readonly reason: string }
  /** `inThread`: subpartitions read in the slot's own thread, never queued on the control thread. */
  | { readonly kind: 'partition-create'; readonly partitionId: string; readonly subpartitions: number; readonly inThread: readonly number[]; readonly owner: string }
  | { readonly kind: 'partition-buffer'; readonly partitionId: string; readonly subpartition: number; readonly bytes: Uint8Array }
  | { readonly kind: 'partition-event'; readonly partitionId: string; readonly event: ChannelEvent }
  | { readonly kind: 'partition-release'; readonly partitionId: string; readonly message: string }
  | { readonly kind: 'gate-create'; readonly gateId: number; readonly channels: readonly InputChannelDescriptor[]; readonly owner: string }
  | { readonly kind: 'gate-credit'; readonly gateId: number; readonly channel: number }
  | { readonly kind: 'gate-close'; readonly gateId: number }
  | { readonly kind: 'local-state-keep'; readonly file: LocalStateFile; readonly bytes: Uint8Array; readonly location: string }
  | { readonly kind: 'local-state-read'; readonly requestId: number; readonly checkpointId: number; readonly location: string; readonly offset: number; readonly length: number }
  | { readonly kind: 'task-metrics'; readonly tasks: readonly TaskTimeSample[] }
  /** A source reader's event for the split enumerator of its source, on the JobManager (sent in order per attempt). */
  | { readonly kind: 'operator-event'; readonly attemptId: string; readonly operatorId: string; readonly event: Uint8Array };

/** Per task, milliseconds spent since the previous sample (Flink's busy / idle / back-pressured time). */
export interface TaskTimeSample {
  readonly attemptId: string;
  readonly busyMs: number;
  readonly idleMs: number;
  readonly backPressuredMs: number;
  readonly intervalMs: number;
  /** Flink's currentInputWatermark / currentOutputWatermark (ms; -Infinity before any watermark). */
  readonly inputWatermark: number;
  readonly outputWatermark: number;
  /** Records the task took from its inputs and emitted to other tasks since it started (Flink's numRecordsIn / numRecordsOut). */
  readonly recordsIn: number;
  readonly recordsOut: number;
}

/** The bytes of `view` in an ArrayBuffer of their own, so they can be transferred. */
export function ownedBytes(view: Uint8Array): Uint8Array {
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy;
}
