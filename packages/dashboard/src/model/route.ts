/**
 * The dashboard's pages as hash routes (`#/jobs/ID/checkpoints`), as
 * Flink's web UI has them: the REST API owns every real path of the port,
 * so the dashboard's own paths live after the `#` and a page can be
 * bookmarked, reloaded and followed to another JobManager unchanged.
 */

export const JOB_TABS = ['overview', 'subtasks', 'checkpoints', 'exceptions', 'configuration'] as const;
export type JobTab = (typeof JOB_TABS)[number];

export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'jobs' }
  | { readonly page: 'job'; readonly jobId: string; readonly tab: JobTab }
  | { readonly page: 'taskmanagers' }
  | { readonly page: 'taskmanager'; readonly taskManagerId: string }
  | { readonly page: 'not-found'; readonly path: string };

/** `location.hash` -> the page it names; an empty hash is the overview. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+|\/+$/g, '');
  const parts = path === '' ? [] : path.split('/').map((part) => decodeURIComponent(part));
  const [first, second, third] = parts;
  if (parts.length === 0 || (first === 'overview' && parts.length === 1)) return { page: 'overview' };
  if (first === 'jobs' && parts.length === 1) return { page: 'jobs' };
  if (first === 'jobs' && second && parts.length <= 3) {
    const tab = third ?? 'overview';
    if ((JOB_TABS as readonly string[]).includes(tab)) return { page: 'job', jobId: second, tab: tab as JobTab };
  }
  if (first === 'taskmanagers' && parts.length === 1) return { page: 'taskmanagers' };
  if (first === 'taskmanagers' && second && parts.length === 2) return { page: 'taskmanager', taskManagerId: second };
  return { page: 'not-found', path: `/${path}` };
}

/** The hash of a page (`#/jobs/ID`); the inverse of parseRoute. */
export function routeHash(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/overview';
    case 'jobs':
      return '#/jobs';
    case 'job':
      return `#/jobs/${encodeURIComponent(route.jobId)}${route.tab === 'overview' ? '' : `/${route.tab}`}`;
    case 'taskmanagers':
      return '#/taskmanagers';
    case 'taskmanager':
      return `#/taskmanagers/${encodeURIComponent(route.taskManagerId)}`;
    case 'not-found':
      return `#${route.path}`;
  }
}
