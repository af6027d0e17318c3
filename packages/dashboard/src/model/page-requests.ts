import type { Route } from './route.js';

/** The REST paths of one job's views, as its pages poll them. */
export function jobPaths(jobId: string) {
  const base = `/jobs/${encodeURIComponent(jobId)}`;
  return {
    details: base,
    plan: `${base}/plan`,
    /** The graph's layout, computed once per job by the JobManager. */
    layout: `${base}/plan/layout`,
    /** Per-vertex figures for the graph (no per-subtask rows). */
    graphMetrics: `${base}/task-metrics?subtasks=false`,
    subtaskMetrics: `${base}/task-metrics`,
    checkpoints: `${base}/checkpoints`,
    exceptions: `${base}/exceptions`,
    config: `${base}/config`,
  } as const;
}

export const OVERVIEW_PATH = '/overview';
export const TASKMANAGERS_PATH = '/taskmanagers';
export const JOBS_OVERVIEW_PATH = '/jobs/overview';
export const JOBMANAGERS_PATH = '/jobmanagers';

export function taskManagerPath(taskManagerId: string): string {
  return `/taskmanagers/${encodeURIComponent(taskManagerId)}`;
}

/**
 * The requests a page makes as it opens (not the leader check, which can
 * wait: a browser opens at most 6 connections to a host, and the bundle
 * needs two of them): the page's prefetch (ui/prefetch-entry.ts) sends
 * them while the bundle is still loading, and its first polls take the answers.
 */
export function firstRequests(route: Route): string[] {
  const page = ((): string[] => {
    switch (route.page) {
      case 'overview':
        return [OVERVIEW_PATH, TASKMANAGERS_PATH, JOBS_OVERVIEW_PATH];
      case 'jobs':
        return [JOBS_OVERVIEW_PATH];
      case 'job': {
        const paths = jobPaths(route.jobId);
        const tab = {
          overview: [paths.plan, paths.layout, paths.graphMetrics],
          subtasks: [paths.subtaskMetrics],
          checkpoints: [paths.checkpoints],
          exceptions: [paths.exceptions],
          configuration: [paths.config],
        }[route.tab];
        return [paths.details, ...tab];
      }
      case 'taskmanagers':
        return [TASKMANAGERS_PATH];
      case 'taskmanager':
        return [taskManagerPath(route.taskManagerId)];
      case 'not-found':
        return [];
    }
  })();
  return page;
}
