import { RivuletError, unaryHandler, type Logger, type pb } from '@rivulet/common';
import type { LeaderSessionGuard } from '../fencing/leader-session-guard.js';
import type { SlotTable } from '../slot/slot-table.js';
import type { TaskExecutor } from '../task/task-executor.js';

export interface TaskManagerServiceDeps {
  readonly guard: LeaderSessionGuard;
  readonly slots: SlotTable;
  /** Undefined until the TaskManager has started. */
  readonly executor: () => TaskExecutor | undefined;
  readonly log: Logger;
}

function started(deps: TaskManagerServiceDeps): TaskExecutor {
  const executor = deps.executor();
  if (!executor) throw new RivuletError('ILLEGAL_STATE', 'the TaskManager is not running yet');
  return executor;
}

function notImplemented(what: string): never {
  throw new RivuletError('NOT_IMPLEMENTED', `${what} is not implemented yet`);
}

/**
 * The gRPC handlers of TaskManagerService. Every call is fenced first: a
 * call from a leader session older than the newest seen is refused.
 */
export function taskManagerServiceHandlers(deps: TaskManagerServiceDeps): pb.TaskManagerServiceHandlers {
  return {
    DeployTask: unaryHandler((request) => {
      deps.guard.check(request.leader);
      started(deps).deploy(request);
      return {};
    }),
    CancelTask: unaryHandler((request) => {
      deps.guard.check(request.leader);
      started(deps).cancel(request.executionAttemptId);
      return {};
    }),
    TriggerCheckpoint: unaryHandler((request) => {
      deps.guard.check(request.leader);
      return notImplemented('checkpoints');
    }),
    NotifyCheckpointComplete: unaryHandler((request) => {
      deps.guard.check(request.leader);
      return notImplemented('checkpoints');
    }),
    NotifyCheckpointAborted: unaryHandler((request) => {
      deps.guard.check(request.leader);
      return notImplemented('checkpoints');
    }),
    ReleaseSlots: unaryHandler((request) => {
      deps.guard.check(request.leader);
      const released = deps.executor()?.releaseJob(request.jobId) ?? deps.slots.releaseJob(request.jobId);
      deps.log.info({ jobId: request.jobId, released }, 'slots released');
      return {};
    }),
  };
}
