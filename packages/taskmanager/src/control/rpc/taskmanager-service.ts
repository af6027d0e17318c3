import { RivuletError, unaryHandler, type Logger, type pb } from '@rivulet/common';
import type { LeaderSessionGuard } from '../fencing/leader-session-guard.js';
import type { SlotTable } from '../slots/slot-table.js';
import type { TaskExecutor } from '../tasks/task-executor.js';

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
      const location = request.locationFolder || request.locationRoot
        ? { root: request.locationRoot || null, folder: request.locationFolder }
        : undefined;
      started(deps).triggerCheckpoint(
        request.executionAttemptId,
        { checkpointId: request.checkpointId, timestamp: request.timestampMs, savepoint: request.savepoint },
        location,
        request.trigger,
        request.terminate,
      );
      return {};
    }),
    NotifyCheckpointComplete: unaryHandler((request) => {
      deps.guard.check(request.leader);
      started(deps).notifyCheckpointComplete(request.jobId, request.checkpointId, new Set(request.executionAttemptIds), request.final);
      return {};
    }),
    NotifyCheckpointAborted: unaryHandler((request) => {
      deps.guard.check(request.leader);
      // Pending sink files of an aborted checkpoint are committed with the next completed one.
      deps.executor()?.notifyCheckpointAborted(request.jobId, request.checkpointId);
      deps.log.info({ jobId: request.jobId, checkpointId: request.checkpointId }, 'checkpoint aborted');
      return {};
    }),
    SendOperatorEvent: unaryHandler((request) => {
      deps.guard.check(request.leader);
      started(deps).sendOperatorEvent(request.executionAttemptId, request.operatorId, request.event);
      return {};
    }),
    ReleaseSlots: unaryHandler((request) => {
      deps.guard.check(request.leader);
      const allocations = new Set(request.allocationIds);
      const released = allocations.size > 0
        ? (deps.executor()?.releaseAllocations(request.jobId, allocations) ?? deps.slots.releaseAllocations(allocations))
        : (deps.executor()?.releaseJob(request.jobId) ?? deps.slots.releaseJob(request.jobId));
      deps.log.info({ jobId: request.jobId, released }, 'slots released');
      return {};
    }),
  };
}
