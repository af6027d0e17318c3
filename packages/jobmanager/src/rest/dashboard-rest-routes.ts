import type { FastifyInstance, FastifyReply } from 'fastify';
import { RivuletError, errorMessage } from '@rivulet/common';
import { PlanLayouts } from '@rivulet/dashboard';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';
import { UnknownJobError, type JobView } from '../jobstore/index.js';
import { jobManagersJson, type JobManagersSource } from './jobmanagers.js';
import { jobTaskMetricsJson } from './job-task-metrics.js';
import { archivedTaskMetricsJson } from './archived-task-metrics.js';
import { JobsOverview } from './jobs-overview.js';
import { SavepointTriggers } from './savepoint-triggers.js';
import { taskManagerDetailJson } from './taskmanager-detail.js';
import { TaskManagerStatusClient } from './taskmanager-status-client.js';
import type { TaskManagerStatusJson } from './taskmanager-status.js';

export interface DashboardRestDeps {
  readonly registry: TaskManagerRegistry;
  readonly dispatcher: Dispatcher;
  readonly jobManagers: JobManagersSource;
  readonly statusClient?: TaskManagerStatusClient;
  /** Where the job graphs' layouts are computed and kept (one per job). */
  readonly planLayouts?: PlanLayouts;
  readonly now?: () => number;
}

/** RivuletError codes as HTTP statuses, errors in Flink's `{"errors": [...]}` shape. */
function sendError(reply: FastifyReply, err: unknown): { errors: string[] } {
  const code = err instanceof RivuletError ? err.code : undefined;
  reply.code(code === 'NOT_FOUND' ? 404 : code === 'ILLEGAL_STATE' ? 409 : code === 'USAGE' ? 400 : 500);
  return { errors: [err instanceof UnknownJobError ? `Job not found: ${errorMessage(err)}` : errorMessage(err)] };
}

/**
 * The endpoints the dashboard adds to the REST API (docs/rest-api.md):
 * reads — `/jobs/overview`, `/jobs/:id/plan`, `/jobs/:id/plan/layout`, `/jobs/:id/config`,
 * `/jobs/:id/task-metrics`, `/taskmanagers/:id`, `/jobmanagers` — and
 * Flink's job actions — `PATCH /jobs/:id?mode=cancel`,
 * `POST /jobs/:id/savepoints`, `POST /jobs/:id/stop`,
 * `GET /jobs/:id/savepoints/:requestId`. The existing endpoints
 * (rest-routes.ts) are left as they are.
 */
export function registerDashboardRestRoutes(app: FastifyInstance, deps: DashboardRestDeps): void {
  const now = deps.now ?? Date.now;
  const statusClient = deps.statusClient ?? new TaskManagerStatusClient(now);
  const overview = new JobsOverview();
  const triggers = new SavepointTriggers();
  const registrationOf = (resourceId: string) => deps.registry.all().find((r) => r.resourceId === resourceId);

  const withJob = (handle: (view: JobView) => Promise<unknown> | unknown) => async (request: { params: { id: string } }, reply: FastifyReply): Promise<unknown> => {
    let view: JobView;
    try {
      view = deps.dispatcher.view(request.params.id);
    } catch (err) {
      return sendError(reply, err);
    }
    return handle(view);
  };
  const json = (reply: FastifyReply, text: string): string => {
    reply.type('application/json; charset=utf-8');
    return text;
  };

  app.get('/jobs/overview', async () => overview.json(deps.dispatcher.list(), (id) => deps.dispatcher.liveJob(id), now()));

  app.get<{ Params: { id: string } }>('/jobs/:id/plan', async (request, reply) => withJob((view) => json(reply, view.planJson()))(request, reply));
  const layouts = deps.planLayouts ?? new PlanLayouts();
  app.addHook('onClose', async () => layouts.close());
  app.get<{ Params: { id: string } }>('/jobs/:id/plan/layout', async (request, reply) =>
    withJob(async (view) => {
      try {
        return json(reply, await layouts.layoutOf(view.jobId, view.planJson()));
      } catch (err) {
        reply.code(503);
        return { errors: [errorMessage(err)] };
      }
    })(request, reply),
  );
  app.get<{ Params: { id: string } }>('/jobs/:id/config', async (request, reply) => withJob((view) => json(reply, view.configJson()))(request, reply));

  app.get<{ Params: { id: string }; Querystring: { subtasks?: string } }>('/jobs/:id/task-metrics', async (request, reply) =>
    withJob(async (view) => {
      const master = deps.dispatcher.liveJob(view.jobId);
      if (!master) return archivedTaskMetricsJson(view, now());
      const resourceIds = new Set(master.graph.executions.flatMap((e) => (e.slot ? [e.slot.resourceId] : [])));
      const statuses = new Map<string, TaskManagerStatusJson | undefined>();
      await Promise.all([...resourceIds].map(async (resourceId) => {
        const registration = registrationOf(resourceId);
        statuses.set(resourceId, registration ? await statusClient.get(registration) : undefined);
      }));
      return jobTaskMetricsJson(master, (id) => statuses.get(id), (id) => registrationOf(id)?.rpcEndpoint.host, now(), request.query.subtasks !== 'false');
    })(request, reply),
  );

  app.get<{ Params: { id: string } }>('/taskmanagers/:id', async (request, reply) => {
    const registration = registrationOf(request.params.id);
    if (!registration) {
      reply.code(404);
      return { errors: [`TaskManager ${request.params.id} is not registered with this JobManager`] };
    }
    const status = await statusClient.get(registration, true);
    return taskManagerDetailJson(registration, deps.dispatcher.liveJobs(), status, now());
  });

  app.get('/jobmanagers', async () => jobManagersJson(deps.jobManagers, now()));

  app.patch<{ Params: { id: string }; Querystring: { mode?: string } }>('/jobs/:id', async (request, reply) => {
    if ((request.query.mode ?? 'cancel') !== 'cancel') {
      reply.code(400);
      return { errors: [`mode must be "cancel" (Flink's only mode), not "${request.query.mode}"`] };
    }
    try {
      deps.dispatcher.cancel(request.params.id);
    } catch (err) {
      return sendError(reply, err);
    }
    reply.code(202);
    return {};
  });

  const trigger = (stop: boolean) => async (request: { params: { id: string }; body: unknown }, reply: FastifyReply): Promise<unknown> => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const target = stop ? body['targetDirectory'] : body['target-directory'];
    if (target !== undefined && target !== null && typeof target !== 'string') {
      reply.code(400);
      return { errors: [`${stop ? 'targetDirectory' : 'target-directory'} must be a string`] };
    }
    if (!stop && body['cancel-job'] === true) {
      reply.code(400);
      return { errors: ['cancel-job is not supported: stop the job with POST /jobs/:id/stop'] };
    }
    const jobId = request.params.id;
    try {
      const status = deps.dispatcher.view(jobId).status;
      if (!deps.dispatcher.liveJob(jobId) || status !== 'RUNNING') throw new RivuletError('ILLEGAL_STATE', `job ${jobId} is ${status}, not RUNNING`);
    } catch (err) {
      return sendError(reply, err);
    }
    const requestId = triggers.start(jobId, deps.dispatcher.savepoint(jobId, typeof target === 'string' ? target : '', stop));
    reply.code(202);
    return { 'request-id': requestId };
  };
  app.post<{ Params: { id: string } }>('/jobs/:id/savepoints', trigger(false));
  app.post<{ Params: { id: string } }>('/jobs/:id/stop', trigger(true));

  app.get<{ Params: { id: string; requestId: string } }>('/jobs/:id/savepoints/:requestId', async (request, reply) => {
    const status = triggers.statusJson(request.params.id, request.params.requestId);
    if (!status) {
      reply.code(404);
      return { errors: [`No savepoint operation ${request.params.requestId} for job ${request.params.id} on this JobManager`] };
    }
    return status;
  });
}
