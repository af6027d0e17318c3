/**
 * One triggered checkpoint collecting acknowledgements.
 *
 * Invariants: an acknowledgement is taken once per attempt of the plan (a
 * second one is a duplicate, an attempt outside the plan is unknown — both
 * leave the checkpoint unchanged); a taken acknowledgement matches the plan
 * (only operators of that task's chain, keyed handles only for key groups
 * the subtask owns). The checkpoint is fully acknowledged exactly when every
 * task of the plan has acknowledged; only then can it become metadata. It
 * is final (the job's final checkpoint) when every acknowledgement said the
 * task's data had ended.
 */
import {
  CHECKPOINT_METADATA_FORMAT,
  CHECKPOINT_METADATA_VERSION,
  decodeSubtaskStateSnapshot,
  errorMessage,
  subtaskMemberId,
  type CheckpointMetadata,
  type KeyGroupStateHandle,
  type OperatorState,
  type OperatorSubtaskState,
  type SnapshotLocation,
  type SubtaskStateSnapshot,
} from '@rivulet/common';
import type { CheckpointPlan, OperatorToSnapshot, TaskToAcknowledge } from './checkpoint-plan.js';
import type { CheckpointKind } from './checkpoint-types.js';

export type AcknowledgeResult =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'unknown-task' }
  | { readonly kind: 'invalid'; readonly problem: string };

export class PendingCheckpoint {
  private readonly tasks = new Map<string, TaskToAcknowledge>();
  private readonly acknowledged = new Set<string>();
  /** Acknowledgements of tasks whose data had ended when they took the snapshot. */
  private endedData = 0;
  private readonly operators: ReadonlyMap<string, OperatorToSnapshot>;
  /** operator id → state per subtask index, filled by acknowledgements. */
  private readonly states = new Map<string, (OperatorSubtaskState | undefined)[]>();
  private size = 0;
  private lastAck: number | undefined;
  /** operator id → its split enumerator's checkpoint (base64), set before the sources are triggered. */
  private readonly coordinatorStates = new Map<string, string>();

  constructor(
    readonly checkpointId: number,
    readonly triggerTimestamp: number,
    readonly kind: CheckpointKind,
    readonly location: SnapshotLocation,
    readonly plan: CheckpointPlan,
  ) {
    for (const task of plan.tasks) this.tasks.set(task.executionAttemptId, task);
    this.operators = new Map(plan.operators.map((op) => [op.operatorId, op] as const));
  }

  get numberOfTasks(): number {
    return this.tasks.size;
  }

  get numberOfAcknowledged(): number {
    return this.acknowledged.size;
  }

  get isFullyAcknowledged(): boolean {
    return this.acknowledged.size === this.tasks.size;
  }

  /** Fully acknowledged, every task with its data ended: the job's final checkpoint. */
  get isFinal(): boolean {
    return this.isFullyAcknowledged && this.endedData === this.tasks.size;
  }

  /** Bytes of state acknowledged so far. */
  get stateSize(): number {
    return this.size;
  }

  get latestAckTimestamp(): number | undefined {
    return this.lastAck;
  }

  taskOf(executionAttemptId: string): TaskToAcknowledge | undefined {
    return this.tasks.get(executionAttemptId);
  }

  /** Tasks that have not acknowledged yet, in plan order. */
  waitingFor(): TaskToAcknowledge[] {
    return [...this.tasks.values()].filter((t) => !this.acknowledged.has(t.executionAttemptId));
  }

  /**
   * `stateHandles`: the acknowledgement's bytes (a SubtaskStateSnapshot as
   * JSON; empty for no state) or the decoded value; bytes that do not decode
   * are invalid, as state that does not match the plan. `endOfData`: the
   * task's data had ended when it took the snapshot.
   */
  acknowledge(executionAttemptId: string, stateHandles: Uint8Array | SubtaskStateSnapshot, now: number, endOfData = false): AcknowledgeResult {
    const task = this.tasks.get(executionAttemptId);
    if (!task) return { kind: 'unknown-task' };
    if (this.acknowledged.has(executionAttemptId)) return { kind: 'duplicate' };
    let snapshot: SubtaskStateSnapshot;
    try {
      snapshot = stateHandles instanceof Uint8Array ? decodeSubtaskStateSnapshot(stateHandles) : stateHandles;
    } catch (err) {
      return { kind: 'invalid', problem: errorMessage(err) };
    }
    const problem = this.problemOf(task, snapshot);
    if (problem !== undefined) return { kind: 'invalid', problem };
    for (const state of snapshot.operators) {
      const slots = this.states.get(state.operatorId) ?? [];
      slots[task.subtaskIndex] = state;
      this.states.set(state.operatorId, slots);
      this.size += state.stateSize;
    }
    this.acknowledged.add(executionAttemptId);
    if (endOfData) this.endedData += 1;
    this.lastAck = now;
    return { kind: 'accepted' };
  }

  /** The `_metadata` content; only for a fully acknowledged checkpoint. */
  /** The split enumerators' checkpoints (operator id → base64), taken before the sources were triggered. */
  setCoordinatorStates(states: ReadonlyMap<string, string>): void {
    for (const [operatorId, state] of states) this.coordinatorStates.set(operatorId, state);
  }

  toMetadata(jobId: string, completionTimestamp: number): CheckpointMetadata {
    if (!this.isFullyAcknowledged) throw new Error(`checkpoint ${this.checkpointId} is not fully acknowledged`);
    const operators = this.plan.operators.map((op): OperatorState => {
      const slots = this.states.get(op.operatorId) ?? [];
      return {
        operatorId: op.operatorId,
        parallelism: op.parallelism,
        ...(op.keyGroupAssignment ? { keyGroupAssignment: op.keyGroupAssignment.toJSON() } : {}),
        ...(this.coordinatorStates.has(op.operatorId) ? { coordinatorState: this.coordinatorStates.get(op.operatorId)! } : {}),
        subtasks: Array.from({ length: op.parallelism }, (_, i) => {
          const state = slots[i];
          return {
            subtaskIndex: i,
            keyedState: sortedByGroup(state?.keyedState ?? []),
            timers: sortedByGroup(state?.timers ?? []),
            operatorState: state?.operatorState ?? null,
            stateSize: state?.stateSize ?? 0,
            ...(state?.channelState ? { channelState: state.channelState } : {}),
          };
        }),
      };
    });
    return {
      format: CHECKPOINT_METADATA_FORMAT,
      version: CHECKPOINT_METADATA_VERSION,
      jobId,
      checkpointId: this.checkpointId,
      triggerTimestamp: this.triggerTimestamp,
      completionTimestamp,
      savepoint: this.kind !== 'checkpoint',
      maxParallelism: this.plan.maxParallelism,
      stateSize: this.size,
      operators,
    };
  }

  private problemOf(task: TaskToAcknowledge, snapshot: SubtaskStateSnapshot): string | undefined {
    const member = subtaskMemberId(task.subtaskIndex);
    for (const state of snapshot.operators) {
      const id = JSON.stringify(state.operatorId);
      if (!task.operatorIds.includes(state.operatorId)) return `operator ${id} is not in the task's chain`;
      const table = this.operators.get(state.operatorId)?.keyGroupAssignment;
      for (const handle of [...state.keyedState, ...state.timers]) {
        if (table === undefined) return `operator ${id} is not keyed but has key-group handles`;
        if (handle.keyGroup >= table.numberOfKeyGroups || table.ownerOf(handle.keyGroup) !== member) {
          return `operator ${id}: key group ${handle.keyGroup} is not owned by subtask ${task.subtaskIndex}`;
        }
      }
    }
    return undefined;
  }
}

function sortedByGroup(handles: readonly KeyGroupStateHandle[]): KeyGroupStateHandle[] {
  return [...handles].sort((a, b) => a.keyGroup - b.keyGroup);
}
