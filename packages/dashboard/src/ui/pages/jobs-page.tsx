import { useState } from 'preact/hooks';
import { now } from '../../client/connection.js';
import { usePoll } from '../../client/use-poll.js';
import { filterJobs, jobRows, type JobFilter } from '../../model/jobs-model.js';
import type { JobsOverviewResponse } from '../../model/rest-types.js';
import { routeHash } from '../../model/route.js';
import { FreshnessNote } from '../components/freshness-note.js';
import { StateBadge } from '../components/state-badge.js';
import { ScrollTable } from '../components/tables.js';
import { JOBS_OVERVIEW_PATH } from '../../model/page-requests.js';

const FILTERS: readonly { readonly value: JobFilter; readonly label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'running', label: 'Running' },
  { value: 'ended', label: 'Ended' },
];

/** Every job the JobManager knows, running and ended, with a filter and a search. */
export function JobsPage() {
  const jobs = usePoll<JobsOverviewResponse>(JOBS_OVERVIEW_PATH);
  const [filter, setFilter] = useState<JobFilter>('all');
  const [search, setSearch] = useState('');
  const rows = jobs.data ? filterJobs(jobRows(jobs.data.jobs, now.value), { filter, search }) : [];
  return (
    <section aria-labelledby="jobs-title">
      <h1 tabIndex={-1} id="jobs-title">Jobs</h1>
      <div class="toolbar">
        <div role="group" aria-label="Show" class="segmented">
          {FILTERS.map((f) => (
            <button key={f.value} type="button" aria-pressed={filter === f.value} onClick={() => setFilter(f.value)}>{f.label}</button>
          ))}
        </div>
        <label class="search">
          <span class="visually-hidden">Search jobs</span>
          <input type="search" placeholder="Search by name, id or state" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <FreshnessNote polled={jobs} what="the jobs" />
      <ScrollTable label="Jobs">
        <thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Duration</th><th scope="col">Parallelism</th><th scope="col">Tasks</th><th scope="col">Job id</th></tr></thead>
        <tbody data-live="jobs">
          {rows.length === 0 && jobs.data ? <tr><td colSpan={8} class="empty">No job matches.</td></tr> : null}
          {rows.map((job) => (
            <tr key={job.id} data-job-id={job.id}>
              <td><a href={routeHash({ page: 'job', jobId: job.id, tab: 'overview' })}>{job.name}</a></td>
              <td><StateBadge state={job.state} /></td>
              <td>{job.started}</td>
              <td>{job.ended_at || '—'}</td>
              <td>{job.duration}</td>
              <td class="num">{job.parallelism}</td>
              <td>{job.tasks}</td>
              <td><code>{job.id}</code></td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
    </section>
  );
}
