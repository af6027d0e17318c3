import { now } from '../../client/connection.js';
import { usePoll } from '../../client/use-poll.js';
import { checkpointsModel } from '../../model/checkpoints-model.js';
import { exceptionsModel } from '../../model/exceptions-model.js';
import { formatBytes, formatDuration, formatMillis, formatTimestamp } from '../../model/format.js';
import { jobGraphModel } from '../../model/job-graph-model.js';
import { isEndedJob } from '../../model/jobs-model.js';
import { jobPaths } from '../../model/page-requests.js';
import type {
  CheckpointsResponse, ExceptionsResponse, JobConfigResponse, JobDetailsResponse, JobPlanResponse, JobTaskMetricsResponse,
} from '../../model/rest-types.js';
import { JOB_TABS, routeHash, type JobTab } from '../../model/route.js';
import { subtaskTables } from '../../model/subtasks-model.js';
import { FreshnessNote } from '../components/freshness-note.js';
import { JobGraph } from '../components/job-graph.js';
import { StateBadge } from '../components/state-badge.js';
import { ScrollTable } from '../components/tables.js';
import { TimeChart } from '../components/time-chart.js';
import { JobActions } from './job-actions.js';

type JobPaths = ReturnType<typeof jobPaths>;

const TAB_LABELS: Record<JobTab, string> = {
  overview: 'Graph',
  subtasks: 'Subtasks',
  checkpoints: 'Checkpoints',
  exceptions: 'Exceptions',
  configuration: 'Configuration',
};

/** One job: its header and actions, and a tab each for the graph, subtasks, checkpoints, exceptions, configuration. */
export function JobPage({ jobId, tab }: { jobId: string; tab: JobTab }) {
  const paths = jobPaths(jobId);
  // The header (state, restarts) every 2 s: the details carry every subtask, the tabs poll what they show every second.
  const details = usePoll<JobDetailsResponse>(paths.details, 2000);
  const job = details.data;
  const ended = job ? isEndedJob(job.state) : false;
  const duration = job ? (job['end-time'] > 0 ? job.duration : now.value - job['start-time']) : undefined;
  return (
    <section aria-labelledby="job-title">
      <p class="crumbs"><a href={routeHash({ page: 'jobs' })}>Jobs</a> /</p>
      <h1 tabIndex={-1} id="job-title">{job?.name ?? jobId} {job ? <StateBadge state={job.state} /> : null}</h1>
      <FreshnessNote polled={details} what="this job" />
      {job ? (
        <dl class="facts facts-inline">
          <dt>Job id</dt><dd><code>{job.jid}</code></dd>
          <dt>Started</dt><dd>{formatTimestamp(job['start-time'])}</dd>
          <dt>Duration</dt><dd>{formatDuration(duration)}</dd>
          <dt>Restarts</dt><dd data-figure="restarts">{job.restarts.numRestarts}</dd>
        </dl>
      ) : null}
      {job ? <JobActions jobId={jobId} running={job.state === 'RUNNING'} /> : null}
      <nav class="tabs" aria-label="Job views">
        {JOB_TABS.map((t) => (
          <a key={t} href={routeHash({ page: 'job', jobId, tab: t })} aria-current={t === tab ? 'page' : undefined} class={t === tab ? 'tab tab-active' : 'tab'}>
            {TAB_LABELS[t]}
          </a>
        ))}
      </nav>
      <div class="tab-panel">
        {tab === 'overview' ? <GraphTab paths={paths} jobId={jobId} ended={ended} /> : null}
        {tab === 'subtasks' ? <SubtasksTab paths={paths} /> : null}
        {tab === 'checkpoints' ? <CheckpointsTab paths={paths} /> : null}
        {tab === 'exceptions' ? <ExceptionsTab paths={paths} /> : null}
        {tab === 'configuration' ? <ConfigurationTab paths={paths} /> : null}
      </div>
    </section>
  );
}

function GraphTab({ paths, jobId, ended }: { paths: JobPaths; jobId: string; ended: boolean }) {
  const plan = usePoll<JobPlanResponse>(paths.plan, 10_000);
  const metrics = usePoll<JobTaskMetricsResponse>(ended ? null : paths.graphMetrics);
  if (!plan.data) return <FreshnessNote polled={plan} what="the job graph" />;
  const model = jobGraphModel(plan.data, metrics.data);
  return (
    <>
      {!ended ? <FreshnessNote polled={metrics} what="the task figures" /> : <p class="note">The job has ended: its graph is shown without live figures.</p>}
      <p class="legend" aria-label="Colours">
        <span class="swatch swatch-idle" /> idle <span class="swatch swatch-busy" /> busy <span class="swatch swatch-backpressured" /> backpressured <span class="swatch swatch-unknown" /> no figures
      </p>
      <JobGraph model={model} layoutPath={paths.layout} subtasksHref={() => routeHash({ page: 'job', jobId, tab: 'subtasks' })} />
    </>
  );
}

function SubtasksTab({ paths }: { paths: JobPaths }) {
  const metrics = usePoll<JobTaskMetricsResponse>(paths.subtaskMetrics);
  const tables = metrics.data ? subtaskTables(metrics.data, now.value) : [];
  return (
    <>
      <FreshnessNote polled={metrics} what="the subtasks" />
      {tables.map((vertex) => (
        <div key={vertex.id} class="vertex-table" id={`vertex-${vertex.id}`}>
          <h2>{vertex.name} <span class="muted">parallelism {vertex.parallelism}</span></h2>
          <ScrollTable label={`Subtasks of ${vertex.name}`}>
            <thead>
              <tr>
                <th scope="col">Subtask</th><th scope="col">State</th><th scope="col">Attempt</th><th scope="col">TaskManager</th><th scope="col">Duration</th>
                <th scope="col">Records in</th><th scope="col">Records out</th><th scope="col">In rate</th><th scope="col">Out rate</th>
                <th scope="col" title="bytes from other slots and TaskManagers, and their rate">Bytes in</th><th scope="col" title="bytes to other slots and TaskManagers, and their rate">Bytes out</th>
                <th scope="col">Busy</th><th scope="col">Backpressured</th><th scope="col">Watermark</th><th scope="col">Figures</th>
              </tr>
            </thead>
            <tbody>
              {vertex.rows.map((row) => (
                <tr key={row.key} class={row.stale ? 'stale' : ''}>
                  <td>{row.subtask}</td><td><StateBadge state={row.state} /></td><td class="num">{row.attempt}</td><td>{row.taskManager}</td><td>{row.duration}</td>
                  <td class="num">{row.recordsIn}</td><td class="num">{row.recordsOut}</td><td class="num">{row.rateIn}</td><td class="num">{row.rateOut}</td>
                  <td class="num" data-figure="bytes-in">{row.bytesIn}</td><td class="num" data-figure="bytes-out">{row.bytesOut}</td>
                  <td class="num">{row.busy}</td><td class="num">{row.backpressured}</td><td>{row.watermark}</td><td class={row.stale ? 'warn' : ''}>{row.stale ? `stale: ${row.age}` : row.age}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        </div>
      ))}
    </>
  );
}

function CheckpointsTab({ paths }: { paths: JobPaths }) {
  const stats = usePoll<CheckpointsResponse>(paths.checkpoints);
  if (!stats.data) return <FreshnessNote polled={stats} what="the checkpoints" />;
  const model = checkpointsModel(stats.data);
  return (
    <>
      <FreshnessNote polled={stats} what="the checkpoints" />
      <dl class="facts">
        <dt>Counts</dt><dd data-figure="checkpoint-counts">{model.counts.completed} completed · {model.counts.failed} failed · {model.counts.in_progress} in progress · {model.counts.restored} restored</dd>
        <dt>Latest completed</dt><dd>{model.latestCompleted}</dd>
        <dt>Latest savepoint</dt><dd>{model.latestSavepoint}</dd>
        <dt>Latest failed</dt><dd>{model.latestFailed}</dd>
        <dt>Latest restored</dt><dd>{model.restored}</dd>
        <dt>Average</dt><dd>{model.averageDuration}, {model.averageSize}</dd>
      </dl>
      {model.series.times.length > 0 ? (
        <TimeChart
          title="Completed checkpoints: duration and size"
          times={model.series.times}
          series={[
            { label: 'duration', values: model.series.durations, colour: '#d08a2c', format: (v) => formatMillis(v) },
            { label: 'size', values: model.series.sizes, colour: '#3a78c2', format: (v) => formatBytes(v), scale: 'y2' },
          ]}
        />
      ) : null}
      <h2>History</h2>
      <ScrollTable label="Checkpoint history">
        <thead><tr><th scope="col">Id</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Triggered</th><th scope="col">Duration</th><th scope="col">Size</th><th scope="col">Acknowledged</th><th scope="col" title="the longest barrier alignment of the subtasks, and the longest delay from the trigger to a subtask's first barrier">Alignment</th><th scope="col">Path or failure</th></tr></thead>
        <tbody data-live="checkpoints">
          {model.rows.length === 0 ? <tr><td colSpan={9} class="empty">No checkpoint yet.</td></tr> : null}
          {model.rows.map((row) => (
            <tr key={row.id} data-checkpoint-id={row.id}>
              <td class="num">{row.id}</td><td><StateBadge state={row.status} /></td><td>{row.type}</td><td>{row.triggered}</td>
              <td class="num">{row.duration}</td><td class="num">{row.size}</td><td class="num">{row.acknowledged}</td><td class="num" data-figure="alignment">{row.alignment}</td><td class="wrap">{row.detail}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
    </>
  );
}

function ExceptionsTab({ paths }: { paths: JobPaths }) {
  const exceptions = usePoll<ExceptionsResponse>(paths.exceptions, 2000);
  if (!exceptions.data) return <FreshnessNote polled={exceptions} what="the exceptions" />;
  const model = exceptionsModel(exceptions.data);
  return (
    <>
      <FreshnessNote polled={exceptions} what="the exceptions" />
      {model.rows.length === 0 ? <p class="empty">No exception: the job has not failed.</p> : null}
      <ol class="exceptions" data-live="exceptions">
        {model.rows.map((row) => (
          <li key={row.key} data-cause={row.cause}>
            <details>
              <summary>
                <span class="exception-time">{row.time}</span> <strong>{row.name}</strong> <span class="badge badge-transient">{row.cause}</span> in {row.task} on {row.location}
                <div class="exception-summary">{row.summary}</div>
              </summary>
              <pre>{row.stacktrace}</pre>
            </details>
          </li>
        ))}
      </ol>
      {model.truncated ? <p class="muted">Older exceptions are not kept.</p> : null}
    </>
  );
}

function ConfigurationTab({ paths }: { paths: JobPaths }) {
  const config = usePoll<JobConfigResponse>(paths.config, 30_000);
  if (!config.data) return <FreshnessNote polled={config} what="the configuration" />;
  const entries = Object.entries(config.data['execution-config']);
  return (
    <ScrollTable label="Configuration">
      <thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}><td><code>{key}</code></td><td class="wrap">{typeof value === 'string' ? value : JSON.stringify(value)}</td></tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}
