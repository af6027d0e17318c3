import type { Execution } from '../executiongraph/execution-graph.js';
import type { SubtaskRef } from '../failover/pipelined-regions.js';
import type { SlotWait } from './slot-wait.js';

/** A restart waiting for its delay, for the old attempts to end and for slots. */
export interface PendingRestart {
  /** `vertexId/subtaskIndex` -> the subtask. */
  readonly subtasks: Map<string, SubtaskRef>;
  /**
   * The attempts being replaced, in the order their subtasks joined, and how
   * many from the start are known to have ended (terminal states are final):
   * each report moves the count on instead of looking at every attempt again.
   */
  readonly oldAttempts: Execution[];
  endedAttempts: number;
  notBefore: number;
  cause: string;
  timer: NodeJS.Timeout | undefined;
  cancelDeadline: NodeJS.Timeout | undefined;
  slotWait: SlotWait | undefined;
}

/** The key of a subtask in `PendingRestart.subtasks`. */
export const keyOf = (ref: SubtaskRef): string => `${ref.vertexId}/${ref.subtaskIndex}`;

/** The subtask an execution is an attempt of. */
export const refOf = (execution: Execution): SubtaskRef => ({ vertexId: execution.vertex.id, subtaskIndex: execution.subtaskIndex });
