/**
 * Which state each subtask of a job restores from a snapshot, at the job's
 * (possibly new) parallelism.
 *
 * Guarantees:
 * - state is matched to operators by operator id (uid); a snapshot operator
 *   the job lacks is an error naming it, unless `allowNonRestoredState`;
 * - a keyed operator's new assignment is the ring's, computed incrementally
 *   from the snapshot's table (`assignKeyGroups({ previous })`), so exactly
 *   the key groups whose owner changes move — `moves` is
 *   `diffAssignments(previous, next).moves`, and the groups each subtask
 *   receives from another owner (`incomingKeyGroups`) add up to it;
 * - every subtask gets the handles of exactly the key groups it owns under the
 *   new table, wherever they were before;
 * - at unchanged parallelism nothing moves and subtask i gets subtask i's state.
 * Handle paths stay relative to the snapshot folder they came from.
 */
import { AssignmentTable } from '../keygroups/assignment-table.js';
import { diffAssignments, type KeyGroupMove } from '../keygroups/assignment-diff.js';
import { assignKeyGroups } from '../keygroups/key-group-assignment.js';
import { subtaskMemberId, type CheckpointMetadata, type OperatorState } from './checkpoint-metadata.js';
import { CheckpointRestoreError } from './errors.js';
import { isOperatorListStateSnapshot, redistributeOperatorListState } from './operator-list-state.js';
import type { ChannelStateHandle, JsonValue, KeyGroupStateHandle } from './state-handles.js';

/** An operator of the job being started. */
export interface RestoreTarget {
  readonly operatorId: string;
  readonly parallelism: number;
  /** Whether the operator has keyed state (is downstream of a keyBy). */
  readonly keyed: boolean;
}

export interface PlanRestoreOptions {
  /** Every operator of the job being started, with its new parallelism. */
  readonly operators: readonly RestoreTarget[];
  /** The job's maxParallelism; must equal the snapshot's for keyed operators. */
  readonly maxParallelism: number;
  /** Skip snapshot operators the job does not have instead of failing. @default false */
  readonly allowNonRestoredState?: boolean;
  /** Virtual nodes per member of the ring. @default the ring's default (64) */
  readonly virtualNodes?: number;
}

export interface PreviousOperatorState {
  /** Subtask index in the snapshot. */
  readonly subtaskIndex: number;
  readonly state: JsonValue;
}

export interface SubtaskRestore {
  readonly subtaskIndex: number;
  /** Key groups the subtask owns after the restore, ascending; empty when not keyed. */
  readonly keyGroups: readonly number[];
  /** Those of `keyGroups` whose previous owner was another subtask (state that moves), ascending. */
  readonly incomingKeyGroups: readonly number[];
  /** Keyed-state handles of `keyGroups` (groups without state have none), ascending by key group. */
  readonly keyedState: readonly KeyGroupStateHandle[];
  /** Timer handles of `keyGroups`, ascending by key group. */
  readonly timers: readonly KeyGroupStateHandle[];
  /**
   * Operator state: at unchanged parallelism, subtask i's own non-null state
   * (zero or one entry); after a rescale, every previous subtask's non-null
   * state (union redistribution), and the operator takes its share — e.g. a
   * source the splits it now reads. User functions' and sinks' (committables,
   * writer states) operator list state is redistributed here instead: exactly one entry,
   * `{ subtaskIndex: i, state: its share }` (operator-list-state.ts).
   */
  readonly operatorState: readonly PreviousOperatorState[];
  /** Unaligned checkpoints: subtask i's in-flight records (only at unchanged parallelism). */
  readonly channelState?: ChannelStateHandle;
}

export interface OperatorRestorePlan {
  readonly operatorId: string;
  readonly parallelism: number;
  readonly previousParallelism: number;
  /** The new assignment of a keyed operator: deploy and route with it. Undefined when not keyed. */
  readonly keyGroupAssignment: AssignmentTable | undefined;
  /** Key groups whose owner changes (empty when not keyed or not rescaled). */
  readonly moves: readonly KeyGroupMove[];
  /** Index = new subtask index. */
  readonly subtasks: readonly SubtaskRestore[];
}

export interface RestorePlan {
  readonly checkpointId: number;
  readonly savepoint: boolean;
  /** Operators that restore state, by operator id. */
  readonly operators: ReadonlyMap<string, OperatorRestorePlan>;
  /** Job operators with no state in the snapshot: they start empty. */
  readonly operatorsWithoutState: readonly string[];
  /** Snapshot operators the job does not have, skipped under allowNonRestoredState. */
  readonly skippedOperators: readonly string[];
  /** Total key groups that change owner, all operators. */
  readonly movedKeyGroups: number;
}

/** Throws CheckpointRestoreError when the snapshot cannot be restored into the job as described. */
export function planRestore(metadata: CheckpointMetadata, options: PlanRestoreOptions): RestorePlan {
  const targets = new Map(options.operators.map((t) => [t.operatorId, t] as const));
  const skipped = metadata.operators.filter((op) => !targets.has(op.operatorId)).map((op) => op.operatorId);
  if (skipped.length > 0 && options.allowNonRestoredState !== true) {
    const first = skipped[0]!;
    throw new CheckpointRestoreError(
      `the snapshot holds state of operator ${JSON.stringify(first)}${skipped.length > 1 ? ` (and ${skipped.length - 1} more)` : ''}, ` +
        'which the job does not have; give the operator its uid back, or allow non-restored state (--allow-non-restored-state) to drop it',
      first,
    );
  }
  checkChannelStateParallelism(metadata, targets);
  const operators = new Map<string, OperatorRestorePlan>();
  let movedKeyGroups = 0;
  for (const state of metadata.operators) {
    const target = targets.get(state.operatorId);
    if (target === undefined) continue;
    const plan = planOperator(metadata, state, target, options);
    operators.set(state.operatorId, plan);
    movedKeyGroups += plan.moves.length;
  }
  return {
    checkpointId: metadata.checkpointId,
    savepoint: metadata.savepoint,
    operators,
    operatorsWithoutState: options.operators.filter((t) => !operators.has(t.operatorId)).map((t) => t.operatorId),
    skippedOperators: skipped,
    movedKeyGroups,
  };
}

/**
 * In-flight records of an unaligned checkpoint are restored into the very
 * channels they were taken from: a snapshot holding any restores only when
 * no operator of the snapshot changes its parallelism (a rescale changes
 * the channels of the changed operators and of their neighbours). Flink
 * redistributes channel state instead; Rivulet refuses, naming the way out.
 */
function checkChannelStateParallelism(metadata: CheckpointMetadata, targets: ReadonlyMap<string, RestoreTarget>): void {
  const withChannelState = metadata.operators.filter((op) => op.subtasks.some((s) => s.channelState !== undefined && s.channelState.length > 0));
  if (withChannelState.length === 0) return;
  for (const state of metadata.operators) {
    const target = targets.get(state.operatorId);
    if (target === undefined || target.parallelism === state.parallelism) continue;
    throw new CheckpointRestoreError(
      `checkpoint ${metadata.checkpointId} is an unaligned checkpoint holding in-flight records (of operator ${JSON.stringify(withChannelState[0]!.operatorId)}), ` +
        `which restore only at the parallelism they were taken with, and operator ${JSON.stringify(state.operatorId)} changes from ${state.parallelism} to ${target.parallelism}; ` +
        'restore at the same parallelism, or rescale from a savepoint (always aligned)',
      state.operatorId,
    );
  }
}

function planOperator(
  metadata: CheckpointMetadata,
  state: OperatorState,
  target: RestoreTarget,
  options: PlanRestoreOptions,
): OperatorRestorePlan {
  const id = JSON.stringify(state.operatorId);
  const p = target.parallelism;
  if (!Number.isInteger(p) || p < 1) {
    throw new CheckpointRestoreError(`operator ${id}: parallelism must be a positive integer, got ${p}`, state.operatorId);
  }
  const keyedBefore = state.keyGroupAssignment !== undefined;
  if (keyedBefore !== target.keyed) {
    throw new CheckpointRestoreError(
      `operator ${id} was ${keyedBefore ? '' : 'not '}keyed in the snapshot and is ${target.keyed ? '' : 'not '}keyed in the job`,
      state.operatorId,
    );
  }
  const rescaled = p !== state.parallelism;
  const previousStates = state.subtasks
    .filter((s) => s.operatorState !== null)
    .map((s) => ({ subtaskIndex: s.subtaskIndex, state: s.operatorState }));
  // User functions' operator list state: the plan gives each new subtask its share (operator-list-state.ts).
  const listShares = previousStates.some((s) => isOperatorListStateSnapshot(s.state))
    ? redistributeOperatorListState(state.operatorId, checkAllListStates(state.operatorId, previousStates), p, rescaled)
    : undefined;
  const operatorStateOf = (i: number): PreviousOperatorState[] => {
    if (listShares !== undefined) return [{ subtaskIndex: i, state: listShares[i] as unknown as JsonValue }];
    return rescaled ? previousStates : previousStates.filter((s) => s.subtaskIndex === i);
  };
  if (!keyedBefore) {
    const subtasks = Array.from({ length: p }, (_, i): SubtaskRestore => ({
      subtaskIndex: i, keyGroups: [], incomingKeyGroups: [], keyedState: [], timers: [], operatorState: operatorStateOf(i), ...channelStateOf(state, i),
    }));
    return { operatorId: state.operatorId, parallelism: p, previousParallelism: state.parallelism, keyGroupAssignment: undefined, moves: [], subtasks };
  }
  if (options.maxParallelism !== metadata.maxParallelism) {
    throw new CheckpointRestoreError(
      `operator ${id}: the job has maxParallelism ${options.maxParallelism}, the snapshot ${metadata.maxParallelism}; ` +
        'the number of key groups is fixed for the life of keyed state',
      state.operatorId,
    );
  }
  if (p > metadata.maxParallelism) {
    throw new CheckpointRestoreError(`operator ${id}: parallelism ${p} is above maxParallelism ${metadata.maxParallelism}`, state.operatorId);
  }
  const previous = AssignmentTable.fromJSON(state.keyGroupAssignment);
  const next = assignKeyGroups({
    members: Array.from({ length: p }, (_, i) => subtaskMemberId(i)),
    numberOfKeyGroups: metadata.maxParallelism,
    previous,
    ...(options.virtualNodes === undefined ? {} : { virtualNodes: options.virtualNodes }),
  });
  const keyed = handlesByGroup(state, 'keyedState');
  const timers = handlesByGroup(state, 'timers');
  const subtasks = Array.from({ length: p }, (_, i): SubtaskRestore => {
    const member = subtaskMemberId(i);
    const groups = next.keyGroupsOf(member);
    return {
      subtaskIndex: i,
      keyGroups: groups,
      incomingKeyGroups: groups.filter((g) => previous.ownerOf(g) !== member),
      keyedState: groups.flatMap((g) => keyed.get(g) ?? []),
      timers: groups.flatMap((g) => timers.get(g) ?? []),
      operatorState: operatorStateOf(i),
      ...channelStateOf(state, i),
    };
  });
  return {
    operatorId: state.operatorId,
    parallelism: p,
    previousParallelism: state.parallelism,
    keyGroupAssignment: next,
    moves: diffAssignments(previous, next).moves,
    subtasks,
  };
}

function checkAllListStates(operatorId: string, states: readonly PreviousOperatorState[]): readonly PreviousOperatorState[] {
  if (!states.every((s) => isOperatorListStateSnapshot(s.state))) {
    throw new CheckpointRestoreError(`operator ${JSON.stringify(operatorId)}: the snapshot mixes operator list state with other operator state`, operatorId);
  }
  return states;
}

function handlesByGroup(state: OperatorState, kind: 'keyedState' | 'timers'): Map<number, KeyGroupStateHandle> {
  const byGroup = new Map<number, KeyGroupStateHandle>();
  for (const subtask of state.subtasks) for (const handle of subtask[kind]) byGroup.set(handle.keyGroup, handle);
  return byGroup;
}

/** Subtask i's in-flight records, as a spread (parallelism is unchanged when there are any: checkChannelStateParallelism). */
function channelStateOf(state: OperatorState, i: number): { channelState?: ChannelStateHandle } {
  const handle = state.subtasks[i]?.channelState;
  return handle === undefined ? {} : { channelState: handle };
}
