import type { FastifyInstance } from 'fastify';
import type { ResourceHistory } from './resource-history.js';
import type { TaskSamples } from './task-samples.js';

export interface StatusDeps {
  readonly resourceId: () => string | undefined;
  readonly tasks: TaskSamples;
  readonly resources: ResourceHistory;
  readonly now?: () => number;
}

/**
 * `GET /status` on the TaskManager's HTTP port: the JSON the JobManager
 * reads for its dashboard endpoints (`/jobs/:id/task-metrics`,
 * `/taskmanagers/:id`): every running task's latest figures and the
 * TaskManager's resources over the last minutes (`?history=0` leaves the
 * history out). Read-only; answered from memory.
 */
export function registerStatusRoute(app: FastifyInstance, deps: StatusDeps): void {
  const now = deps.now ?? Date.now;
  app.get<{ Querystring: { history?: string } }>('/status', async (request) => ({
    'resource-id': deps.resourceId() ?? null,
    timestamp: now(),
    tasks: deps.tasks.all(),
    'heartbeat-send-delay-ms': deps.resources.heartbeatSendDelayMs,
    network: deps.resources.network,
    history: request.query.history === '0' ? [] : deps.resources.history(),
  }));
}
