import { useEffect, useState } from 'preact/hooks';
import { jobManagers } from '../client/leader-tracker.js';
import { parseRoute, routeHash, type Route } from '../model/route.js';
import { ConnectionBanner } from './components/connection-banner.js';
import { JobPage } from './pages/job-page.js';
import { JobsPage } from './pages/jobs-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { TaskManagerPage } from './pages/taskmanager-page.js';
import { TaskManagersPage } from './pages/taskmanagers-page.js';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = (): void => {
      setRoute(parseRoute(window.location.hash));
      // Keyboard and screen-reader users land on the new page's heading.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

const NAV: readonly { readonly page: Route['page']; readonly label: string; readonly href: string; readonly also: readonly Route['page'][] }[] = [
  { page: 'overview', label: 'Overview', href: routeHash({ page: 'overview' }), also: [] },
  { page: 'jobs', label: 'Jobs', href: routeHash({ page: 'jobs' }), also: ['job'] },
  { page: 'taskmanagers', label: 'TaskManagers', href: routeHash({ page: 'taskmanagers' }), also: ['taskmanager'] },
];

/** The dashboard: header with navigation and connection state, and the page the hash names. */
export function App() {
  const route = useRoute();
  const leader = jobManagers.value;
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="brand" href={routeHash({ page: 'overview' })}>Rivulet</a>
        <nav aria-label="Pages">
          {NAV.map((item) => {
            const current = route.page === item.page || item.also.includes(route.page);
            return <a key={item.page} href={item.href} aria-current={current ? 'page' : undefined} class={current ? 'nav-active' : ''}>{item.label}</a>;
          })}
        </nav>
        <span class="jm" title="The JobManager this page talks to">
          {window.location.host}{leader ? (leader.self.leader ? ' · leader' : ' · standby') : ''}
        </span>
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1}>
        {route.page === 'overview' ? <OverviewPage /> : null}
        {route.page === 'jobs' ? <JobsPage /> : null}
        {route.page === 'job' ? <JobPage key={route.jobId} jobId={route.jobId} tab={route.tab} /> : null}
        {route.page === 'taskmanagers' ? <TaskManagersPage /> : null}
        {route.page === 'taskmanager' ? <TaskManagerPage key={route.taskManagerId} id={route.taskManagerId} /> : null}
        {route.page === 'not-found' ? (
          <section>
            <h1 tabIndex={-1}>No such page</h1>
            <p>Nothing lives at <code>{route.path}</code>. <a href={routeHash({ page: 'overview' })}>Go to the overview</a>.</p>
          </section>
        ) : null}
      </main>
    </>
  );
}
