import * as grpc from '@grpc/grpc-js';
import {
  RIVULET_VERSION,
  RivuletError,
  unaryHandler,
  type LeaderSession,
  type Logger,
  type StorageIdentity,
  type pb,
} from '@rivulet/common';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { JobView } from '../jobstore/index.js';
import { checkpointStorageMismatch } from '../resourcemanager/checkpoint-storage-check.js';
import type { HeartbeatManager } from '../resourcemanager/heartbeat-manager.js';
import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';
import { buildClusterOverview, type LeaderEndpoints } from './cluster-overview.js';

export interface JobManagerServiceDeps {
  readonly registry: TaskManagerRegistry;
  readonly dispatcher: Dispatcher;
  readonly heartbeats: HeartbeatManager;
  readonly heartbeat: { readonly intervalMs: number; readonly timeoutMs: number };
  /** The current session, or undefined when this JobManager does not lead. */
  readonly session: () => LeaderSession | undefined;
  readonly endpoints: () => LeaderEndpoints;
  /** This JobManager's execution.checkpointing.dir: registering TaskManagers must have the same. */
  readonly checkpointStorage: StorageIdentity;
  readonly log: Logger;
}


function requireLeader(deps: JobManagerServiceDeps): LeaderSession {
  const session = deps.session();
  if (!session) throw new RivuletError('ILLEGAL_STATE', 'this JobManager is not the leader');
  return session;
}

/** The gRPC handlers of JobManagerService. */
export function jobManagerServiceHandlers(deps: JobManagerServiceDeps): pb.JobManagerServiceHandlers {
  return {
    RegisterTaskManager: unaryHandler((request) => {
      const session = requireLeader(deps);
      if (!request.resourceId) throw new RivuletError('USAGE', 'RegisterTaskManager: resource_id is empty');
      if (request.numberOfSlots < 1) throw new RivuletError('USAGE', 'RegisterTaskManager: number_of_slots must be at least 1');
      const mismatch = checkpointStorageMismatch(request, deps.checkpointStorage);
      if (mismatch) {
        deps.log.error({ taskManager: request.resourceId, theirs: request.checkpointDir, ours: deps.checkpointStorage }, mismatch.message);
        throw mismatch;
      }
      const registration = deps.registry.register(request);
      return {
        registrationId: registration.registrationId,
        leader: { sessionId: session.sessionId, epoch: session.epoch },
        heartbeatIntervalMs: deps.heartbeat.intervalMs,
        heartbeatTimeoutMs: deps.heartbeat.timeoutMs,
      };
    }),
    Heartbeat: (stream) => {
      if (!deps.session()) {
        stream.emit('error', { code: grpc.status.FAILED_PRECONDITION, details: 'this JobManager is not the leader' });
        return;
      }
      deps.heartbeats.attach(stream);
    },
    DisconnectTaskManager: unaryHandler((request) => {
      requireLeader(deps);
      deps.registry.leave(request.registrationId, request.resourceId, request.reason);
      return {};
    }),
    ClusterOverview: unaryHandler(() =>
      buildClusterOverview(deps.registry, deps.dispatcher.counts(), deps.endpoints(), deps.session(), RIVULET_VERSION),
    ),
    SubmitJob: unaryHandler(async (request) => ({ jobId: await deps.dispatcher.submit(request) })),
    ListJobs: unaryHandler(() => ({ jobs: deps.dispatcher.list().map(summaryOf) })),
    GetJob: unaryHandler((request) => {
      const job = deps.dispatcher.view(request.jobId);
      return { summary: summaryOf(job), detailsJson: job.detailsJson() };
    }),
    CancelJob: unaryHandler((request) => {
      deps.dispatcher.cancel(request.jobId);
      return {};
    }),
    UpdateTaskExecutionState: unaryHandler((request) => {
      if (!deps.registry.get(request.registrationId)) {
        throw new RivuletError('ILLEGAL_STATE', `unknown TaskManager registration "${request.registrationId}": register again`);
      }
      deps.dispatcher.onTaskUpdate(request);
      return {};
    }),
    GetJobBundle: unaryHandler((request) => deps.dispatcher.bundle(request.jobId)),
    StopJob: unaryHandler(async (request) => ({ savepointPath: await deps.dispatcher.savepoint(request.jobId, request.savepointDir, true) })),
    TriggerSavepoint: unaryHandler(async (request) => ({ savepointPath: await deps.dispatcher.savepoint(request.jobId, request.savepointDir, false) })),
    AcknowledgeCheckpoint: unaryHandler((request) => {
      deps.dispatcher.acknowledgeCheckpoint(request);
      return {};
    }),
    DeclineCheckpoint: unaryHandler((request) => {
      deps.dispatcher.declineCheckpoint(request);
      return {};
    }),
    SendOperatorEvent: unaryHandler((request) => {
      if (!deps.registry.get(request.registrationId)) {
        throw new RivuletError('ILLEGAL_STATE', `unknown TaskManager registration "${request.registrationId}": register again`);
      }
      deps.dispatcher.operatorEvent(request);
      return {};
    }),
  };
}

function summaryOf(job: JobView): pb.JobSummary {
  return { jobId: job.jobId, name: job.name, state: job.status, startTimeMs: job.startTime, endTimeMs: job.endTime };
}
