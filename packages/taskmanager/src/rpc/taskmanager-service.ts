import { RivuletError, unaryHandler, type Logger, type pb } from '@rivulet/common';
import type { LeaderSessionGuard } from '../fencing/leader-session-guard.js';
import type { SlotTable } from '../slot/slot-table.js';

export interface TaskManagerServiceDeps {
  readonly guard: LeaderSessionGuard;
  readonly slots: SlotTable;
  readonly log: Logger;
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
      return notImplemented('task deployment');
    }),
    CancelTask: unaryHandler((request) => {
      deps.guard.check(request.leader);
      return notImplemented('task cancellation');
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
      const released = deps.slots.releaseJob(request.jobId);
      deps.log.info({ jobId: request.jobId, released }, 'slots released');
      return {};
    }),
  };
}
