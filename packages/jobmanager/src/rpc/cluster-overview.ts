import type { LeaderSession, pb } from '@rivulet/common';
import { freeSlots } from '../resourcemanager/task-manager-registration.js';
import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';
import type { JobCounts } from '../dispatcher/dispatcher.js';

export interface LeaderEndpoints {
  readonly rpc: { readonly host: string; readonly port: number };
  readonly rest: { readonly host: string; readonly port: number };
}

export function buildClusterOverview(
  registry: TaskManagerRegistry,
  jobs: JobCounts,
  endpoints: LeaderEndpoints,
  session: LeaderSession | undefined,
  version: string,
): pb.ClusterOverviewResponse {
  const taskmanagers: pb.TaskManagerInfo[] = registry.all().map((r) => ({
    resourceId: r.resourceId,
    registrationId: r.registrationId,
    rpcEndpoint: r.rpcEndpoint,
    dataEndpoint: r.dataEndpoint,
    httpEndpoint: r.httpEndpoint,
    slotsTotal: r.numberOfSlots,
    slotsFree: freeSlots(r),
    registeredAtMs: r.registeredAtMs,
    lastHeartbeatMs: r.lastHeartbeatMs,
  }));
  return {
    leader: {
      rpcEndpoint: endpoints.rpc,
      restEndpoint: endpoints.rest,
      session: session ? { sessionId: session.sessionId, epoch: session.epoch } : null,
    },
    taskmanagers,
    slotsTotal: registry.slotsTotal(),
    slotsAvailable: registry.slotsAvailable(),
    jobsRunning: jobs.running,
    jobsFinished: jobs.finished,
    jobsCancelled: jobs.cancelled,
    jobsFailed: jobs.failed,
    version,
  };
}
