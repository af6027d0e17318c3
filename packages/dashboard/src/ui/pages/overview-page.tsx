import { jobManagers } from '../../client/leader-tracker.js';
import { now } from '../../client/connection.js';
import { usePoll } from '../../client/use-poll.js';
import { jobRows } from '../../model/jobs-model.js';
import { overviewModel, taskManagerRows } from '../../model/overview-model.js';
import type { JobsOverviewResponse, OverviewResponse, TaskManagersResponse } from '../../model/rest-types.js';
import { routeHash } from '../../model/route.js';
import { FreshnessNote } from '../components/freshness-note.js';
import { StateBadge } from '../components/state-badge.js';
import { ScrollTable } from '../components/tables.js';
import { JOBS_OVERVIEW_PATH, OVERVIEW_PATH, TASKMANAGERS_PATH } from '../../model/page-requests.js';

/** The cluster at a glance: TaskManagers and slots, jobs by state, leader and standbys, uptime. */
export function OverviewPage() {
  const overview = usePoll<OverviewResponse>(OVERVIEW_PATH);
  const taskManagers = usePoll<TaskManagersResponse>(TASKMANAGERS_PATH);
  const jobs = usePoll<JobsOverviewResponse>(JOBS_OVERVIEW_PATH);
  const model = overview.data ? overviewModel(overview.data, jobManagers.value, now.value) : undefined;
  const running = jobs.data ? jobRows(jobs.data.jobs, now.value).filter((j) => !j.ended) : [];
  return (
    <section aria-labelledby="overview-title">
      <h1 tabIndex={-1} id="overview-title">Overview</h1>
      <FreshnessNote polled={overview} what="the cluster overview" />
      {model ? (
        <div class="cards" data-live="overview">
          <Card title="TaskManagers" value={String(model.taskManagers)} detail={`${model.slotsTotal} slots`} testId="taskmanagers" />
          <Card title="Slots available" value={`${model.slotsAvailable} / ${model.slotsTotal}`} detail={model.slotsInUse} testId="slots" />
          <Card title="Running jobs" value={String(model.jobs.running)} detail={`${model.jobs.finished} finished · ${model.jobs.cancelled} cancelled · ${model.jobs.failed} failed`} testId="jobs" />
          <Card title="Leader" value={model.leader} detail={model.standbys.length > 0 ? `standbys: ${model.standbys.join(', ')}` : `high availability: ${model.highAvailability}`} testId="leader" />
          <Card title="Uptime" value={model.uptime} detail={`this JobManager up ${model.jobManagerUptime}`} testId="uptime" />
        </div>
      ) : null}
      <h2>Running jobs</h2>
      <FreshnessNote polled={jobs} what="the jobs" />
      <ScrollTable label="Running jobs">
        <thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Parallelism</th><th scope="col">Tasks</th></tr></thead>
        <tbody>
          {running.length === 0 ? <tr><td colSpan={6} class="empty">No job is running.</td></tr> : null}
          {running.map((job) => (
            <tr key={job.id}>
              <td><a href={routeHash({ page: 'job', jobId: job.id, tab: 'overview' })}>{job.name}</a></td>
              <td><StateBadge state={job.state} /></td>
              <td>{job.started}</td>
              <td>{job.duration}</td>
              <td class="num">{job.parallelism}</td>
              <td>{job.tasks}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      <h2>TaskManagers</h2>
      <FreshnessNote polled={taskManagers} what="the TaskManagers" />
      <ScrollTable label="TaskManagers">
        <thead><tr><th scope="col">TaskManager</th><th scope="col">Address</th><th scope="col">Slots</th><th scope="col">Last heartbeat</th></tr></thead>
        <tbody data-live="taskmanagers">
          {(taskManagers.data ? taskManagerRows(taskManagers.data.taskmanagers) : []).map((tm) => (
            <tr key={tm.id} data-taskmanager={tm.id}>
              <td><a href={routeHash({ page: 'taskmanager', taskManagerId: tm.id })}>{tm.id}</a></td>
              <td>{tm.address}</td>
              <td>{tm.slots}</td>
              <td class={tm.late ? 'warn' : ''}>{tm.heartbeat}</td>
            </tr>
          ))}
          {taskManagers.data?.taskmanagers.length === 0 ? <tr><td colSpan={4} class="empty">No TaskManager is registered.</td></tr> : null}
        </tbody>
      </ScrollTable>
    </section>
  );
}

function Card({ title, value, detail, testId }: { title: string; value: string; detail: string; testId: string }) {
  return (
    <div class="card" data-card={testId}>
      <h2 class="card-title">{title}</h2>
      <p class="card-value">{value}</p>
      <p class="card-detail">{detail}</p>
    </div>
  );
}
