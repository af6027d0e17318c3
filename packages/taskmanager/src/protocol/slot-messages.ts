/**
 * The protocol between a TaskManager's control thread and the thread of one
 * of its slots, over the worker's MessagePort. Like the `.proto` files are
 * for the network, this module is the whole contract: every message is a
 * plain object tagged by `kind`. Records never cross it: each slot thread
 * runs its own data server and connections (slot/exchange/), and tells the
 * control thread which partitions it serves, so that the TaskManager's data
 * port redirects their consumers to it.
 *
 * Invariants:
 * - the control thread never runs user code and never sees a record;
 * - a slot never talks to the JobManager itself: task reports, checkpoint
 *   acknowledgements and operator events go through the control thread,
 *   which owns registration and fencing;
 * - a slot reports `partition-served` for a partition only once its data
 *   server listens, and `partition-unserved` after it (per partition, in
 *   that order).
 */
import type { SnapshotLocation, SubtaskCheckpointMetrics, TaskDeploymentDescriptor, TlsMaterial } from '@rivulet/common/task-runtime';
import type { NetworkStats } from '../network/stats.js';
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
  /** Batch sizes of subpartitions sent to other slots follow their consumers (undefined: always bufferSizeBytes). */
  readonly debloat: DebloatSettings | undefined;
  /** Buffers a consumer grants each remote channel (network credit). */
  readonly initialCredit: number;
  readonly partitionRequestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** taskmanager.network.frame-timeout: the slot's data server closes a stalled or slow-dripping connection after it. */
  readonly frameTimeoutMs?: number;
  /** The slot's data server listens on an ephemeral port of this address (the TaskManager's bind host). */
  readonly bindHost: string;
  /** The TaskManager's data server as this host reaches it: where channels from other slots of the TaskManager are requested (it redirects). */
  readonly taskManagerData: { readonly host: string; readonly port: number };
  /** Internal TLS: the PEM material the control thread read once at start (the slot's server and connections use mutual TLS). Undefined: plaintext. */
  readonly tls?: TlsMaterial | undefined;
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
  | { readonly kind: 'checkpoint-ack'; readonly attemptId: string; readonly checkpointId: number; readonly stateHandles: Uint8Array; readonly endOfData: boolean; readonly metrics: SubtaskCheckpointMetrics }
  | { readonly kind: 'checkpoint-decline'; readonly attemptId: string; readonly checkpointId: number; readonly reason: string; readonly taskClosing?: boolean }
  /** The slot's data server (on `port`) serves the partition: the TaskManager's data port redirects its requests there. */
  | { readonly kind: 'partition-served'; readonly partitionId: string; readonly port: number }
  /** The partition is gone (consumed or released): its requests fail with `why`. */
  | { readonly kind: 'partition-unserved'; readonly partitionId: string; readonly why: string }
  /** The slot's network stack, for the TaskManager's Shuffle metrics (cumulative counts since the thread started). */
  | { readonly kind: 'network-stats'; readonly stats: NetworkStats }
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
  /** Bytes of serialized batches the task received and sent since it started (Flink's numBytesIn / numBytesOut; records within the slot count none). */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** The bytes of `view` in an ArrayBuffer of their own, so they can be transferred. */
export function ownedBytes(view: Uint8Array): Uint8Array {
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy;
}
