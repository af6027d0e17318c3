import type { FastifyInstance, FastifyReply } from 'fastify';
import { RivuletError, type LeaderSession } from '@rivulet/common';
import { freeSlots } from '../resourcemanager/task-manager-registration.js';
import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import { UnknownJobError, type JobView } from '../jobstore/index.js';

export interface RestDeps {
  readonly registry: TaskManagerRegistry;
  readonly dispatcher: Dispatcher;
  readonly session: () => LeaderSession | undefined;
  readonly now?: () => number;
}

/**
 * The JobManager's REST API, in Flink's shapes where Flink has the endpoint
 * (`/overview`, `/taskmanagers`, `/jobs`). `/readyz` answers 200 only while
 * this JobManager leads (a standby is live but not ready).
 */
export function registerRestRoutes(app: FastifyInstance, deps: RestDeps): void {
  const now = deps.now ?? Date.now;

  app.get('/overview', async () => {
    const jobs = deps.dispatcher.counts();
    return {
      taskmanagers: deps.registry.all().length,
      'slots-total': deps.registry.slotsTotal(),
      'slots-available': deps.registry.slotsAvailable(),
      'jobs-running': jobs.running,
      'jobs-finished': jobs.finished,
      'jobs-cancelled': jobs.cancelled,
      'jobs-failed': jobs.failed,
    };
  });

  app.get('/taskmanagers', async () => ({
    taskmanagers: deps.registry.all().map((r) => ({
      id: r.resourceId,
      path: `${r.rpcEndpoint.host}:${r.rpcEndpoint.port}`,
      dataPort: r.dataEndpoint.port,
      httpPort: r.httpEndpoint.port,
      timeSinceLastHeartbeat: now() - r.lastHeartbeatMs,
      slotsNumber: r.numberOfSlots,
      freeSlots: freeSlots(r),
    })),
  }));

  app.get('/jobs', async () => ({
    jobs: deps.dispatcher.list().map((job) => ({ id: job.jobId, status: job.status })),
  }));

  // A job's JSON, running or archived; 404 in Flink's shape, saying when the job left the job store.
  const jobJson = (part: (job: JobView) => string) => async (request: { params: { id: string } }, reply: FastifyReply): Promise<string | object> => {
    let job: JobView;
    try {
      job = deps.dispatcher.view(request.params.id);
    } catch (err) {
      if (!(err instanceof RivuletError) || err.code !== 'NOT_FOUND') throw err;
      reply.code(404);
      return { errors: [err instanceof UnknownJobError ? `Job ${request.params.id} not found` : err.message] };
    }
    reply.type('application/json; charset=utf-8');
    return part(job);
  };
  app.get<{ Params: { id: string } }>('/jobs/:id', jobJson((job) => job.detailsJson()));
  app.get<{ Params: { id: string } }>('/jobs/:id/checkpoints', jobJson((job) => job.checkpointsJson()));
  app.get<{ Params: { id: string } }>('/jobs/:id/exceptions', jobJson((job) => job.exceptionsJson()));

  app.get('/readyz', async (_request, reply) => {
    const session = deps.session();
    reply.code(session ? 200 : 503);
    return session ? { status: 'ready', leader: true } : { status: 'standby', leader: false };
  });
}
