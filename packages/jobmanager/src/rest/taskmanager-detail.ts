import type { JobMaster } from '../jobmaster/job-master.js';
import { freeSlots, type TaskManagerRegistration } from '../resourcemanager/task-manager-registration.js';
import type { TaskManagerStatusJson } from './taskmanager-status.js';

/**
 * `GET /taskmanagers/:id`: a row of `GET /taskmanagers` plus when it
 * registered, its slots (the job holding each), the current attempts of
 * every live job placed on it, and what it reported when asked (`status`:
 * its resources over the last minutes, null when it did not answer).
 */
export function taskManagerDetailJson(
  registration: TaskManagerRegistration,
  jobs: readonly JobMaster[],
  status: TaskManagerStatusJson | undefined,
  now: number,
): Record<string, unknown> {
  const tasks = jobs.flatMap((job) =>
    job.graph.executions
      .filter((e) => e.slot?.registrationId === registration.registrationId)
      .map((e) => ({
        'job-id': job.jobId,
        'job-name': job.name,
        'vertex-id': e.vertex.id,
        'vertex-name': e.vertex.name,
        subtask: e.subtaskIndex,
        attempt: e.attemptNumber,
        state: e.state,
      })),
  );
  return {
    id: registration.resourceId,
    path: `${registration.rpcEndpoint.host}:${registration.rpcEndpoint.port}`,
    dataPort: registration.dataEndpoint.port,
    httpPort: registration.httpEndpoint.port,
    'registered-at': registration.registeredAtMs,
    timeSinceLastHeartbeat: now - registration.lastHeartbeatMs,
    slotsNumber: registration.numberOfSlots,
    freeSlots: freeSlots(registration),
    slots: Array.from({ length: registration.numberOfSlots }, (_, index) => ({
      index,
      'job-id': registration.allocations[index]?.jobId ?? null,
      'allocation-id': registration.allocations[index]?.allocationId ?? null,
    })),
    tasks,
    status: status
      ? {
          timestamp: status.timestamp,
          'heartbeat-send-delay-ms': status['heartbeat-send-delay-ms'],
          network: status.network,
          history: status.history,
        }
      : null,
  };
}
