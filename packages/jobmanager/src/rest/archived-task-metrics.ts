import type { JobView } from '../jobstore/index.js';

interface ArchivedDetails {
  readonly vertices?: readonly {
    readonly id: string;
    readonly name: string;
    readonly parallelism: number;
    readonly subtasks?: readonly { readonly subtask: number; readonly state: string; readonly taskmanager: string | null }[];
  }[];
}

/**
 * `GET /jobs/:id/task-metrics` of a job that is not running here (ended,
 * archived): its subtasks as they ended, without figures (`metrics` null;
 * the TaskManagers no longer run them) and without attempt numbers (-1).
 */
export function archivedTaskMetricsJson(view: JobView, now: number): Record<string, unknown> {
  const details = JSON.parse(view.detailsJson()) as ArchivedDetails;
  return {
    jid: view.jobId,
    timestamp: now,
    vertices: (details.vertices ?? []).map((vertex) => ({
      id: vertex.id,
      name: vertex.name,
      parallelism: vertex.parallelism,
      metrics: null,
      subtasks: (vertex.subtasks ?? []).map((s) => ({
        subtask: s.subtask,
        attempt: -1,
        state: s.state,
        taskmanager: s.taskmanager,
        host: null,
        'start-time': null,
        metrics: null,
      })),
    })),
  };
}
