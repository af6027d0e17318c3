/**
 * Chain members for the hooks of user function objects (map, filter,
 * flatMap, addSink): `initializeState`/`snapshotState` (operator list state,
 * Flink's CheckpointedFunction) and, for map/filter/flatMap objects,
 * `open`/`close` (a sink's open and close stay with CustomSink).
 *
 * Order, as Flink: initializeState, then open, then records; at each barrier
 * the function's snapshotState, then its lists are encoded as the operator's
 * state, before the barrier is forwarded.
 */
import type { FunctionSnapshotContext, RuntimeContext, UserFunctionHooks } from '@rivulet/api';
import { isOperatorListStateSnapshot, type OperatorListStateSnapshot } from '@rivulet/common/task-runtime';
import { OperatorListStateStore } from '../../state/operator-list-state-store.js';
import type { ChainMember } from '../output.js';

/** Whether a function object takes part in checkpoints (has either CheckpointedFunction hook). */
export function isCheckpointedFunction(hooks: UserFunctionHooks | undefined): hooks is UserFunctionHooks {
  return typeof hooks?.initializeState === 'function' || typeof hooks?.snapshotState === 'function';
}

/** initializeState at open, snapshotState + the lists at each barrier. */
export class CheckpointedFunctionMember implements ChainMember {
  readonly store: OperatorListStateStore;

  constructor(
    private readonly hooks: UserFunctionHooks,
    operatorId: string,
    /** The checkpoint the job restored from; undefined on a fresh start. */
    private readonly restoredCheckpointId: number | undefined,
    restored: OperatorListStateSnapshot | undefined,
  ) {
    this.store = new OperatorListStateStore(operatorId, restored);
  }

  async open(): Promise<void> {
    const store = this.store;
    const restoredCheckpointId = this.restoredCheckpointId;
    await this.hooks.initializeState?.({
      getOperatorStateStore: () => store,
      isRestored: () => restoredCheckpointId !== undefined,
      getRestoredCheckpointId: () => restoredCheckpointId,
    });
  }

  async snapshotState(checkpointId: number, timestamp: number = Date.now()): Promise<OperatorListStateSnapshot | null> {
    const context: FunctionSnapshotContext = { getCheckpointId: () => checkpointId, getCheckpointTimestamp: () => timestamp };
    await this.hooks.snapshotState?.(context);
    return this.store.snapshot();
  }
}

/** open/close of a map, filter or flatMap function object. */
export class FunctionLifecycleMember implements ChainMember {
  constructor(
    private readonly hooks: UserFunctionHooks,
    private readonly context: RuntimeContext,
  ) {}

  async open(): Promise<void> {
    await this.hooks.open?.(this.context);
  }

  async close(): Promise<void> {
    await this.hooks.close?.();
  }
}

/**
 * The members for the hooks of a function object, head first
 * (initializeState runs before open). `context`: given for map, filter and
 * flatMap objects, whose open/close these members run; a sink's are run by
 * the sink itself.
 */
export function functionHookMembers(
  hooks: UserFunctionHooks | undefined,
  operatorId: string,
  context: RuntimeContext | undefined,
  restoredCheckpointId: number | undefined,
  restored: unknown,
): ChainMember[] {
  if (hooks === undefined) return [];
  const members: ChainMember[] = [];
  if (isCheckpointedFunction(hooks)) {
    members.push(new CheckpointedFunctionMember(hooks, operatorId, restoredCheckpointId, isOperatorListStateSnapshot(restored) ? restored : undefined));
  }
  if (context !== undefined && (hooks.open !== undefined || hooks.close !== undefined)) members.push(new FunctionLifecycleMember(hooks, context));
  return members;
}
