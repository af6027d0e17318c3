import { randomUUID } from 'node:crypto';
import { errorMessage } from '@rivulet/common';

/** Triggers remembered per JobManager: the oldest are forgotten first. */
const MAX_TRIGGERS = 200;

interface Trigger {
  readonly jobId: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  location?: string;
  failure?: string;
}

/**
 * Flink's asynchronous savepoint operations: `POST /jobs/:id/savepoints`
 * and `POST /jobs/:id/stop` answer a `request-id` at once, and
 * `GET /jobs/:id/savepoints/:request-id` tells IN_PROGRESS, then COMPLETED
 * with the savepoint's `location` or a `failure-cause`. Held in memory by
 * the JobManager that took the request (a new leader does not know it).
 */
export class SavepointTriggers {
  private readonly triggers = new Map<string, Trigger>();

  start(jobId: string, savepoint: Promise<string>): string {
    const id = randomUUID();
    const trigger: Trigger = { jobId, status: 'IN_PROGRESS' };
    this.triggers.set(id, trigger);
    if (this.triggers.size > MAX_TRIGGERS) this.triggers.delete(this.triggers.keys().next().value!);
    savepoint.then(
      (location) => {
        trigger.status = 'COMPLETED';
        trigger.location = location;
      },
      (err: unknown) => {
        trigger.status = 'COMPLETED';
        trigger.failure = errorMessage(err);
      },
    );
    return id;
  }

  /** Flink's AsynchronousOperationResult; undefined for an unknown id or another job's. */
  statusJson(jobId: string, requestId: string): Record<string, unknown> | undefined {
    const trigger = this.triggers.get(requestId);
    if (!trigger || trigger.jobId !== jobId) return undefined;
    if (trigger.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' } };
    return {
      status: { id: 'COMPLETED' },
      operation: trigger.failure !== undefined
        ? { 'failure-cause': { class: 'RivuletError', 'stack-trace': trigger.failure, 'serialized-throwable': null } }
        : { location: trigger.location },
    };
  }
}
