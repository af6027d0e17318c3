import { now } from '../../client/connection.js';
import { usePoll } from '../../client/use-poll.js';
import { formatMillis } from '../../model/format.js';
import type { TaskManagerDetailResponse } from '../../model/rest-types.js';
import { routeHash } from '../../model/route.js';
import { taskManagerDetailModel } from '../../model/taskmanager-model.js';
import { FreshnessNote } from '../components/freshness-note.js';
import { StateBadge } from '../components/state-badge.js';
import { ScrollTable } from '../components/tables.js';
import { TimeChart } from '../components/time-chart.js';
import { taskManagerPath } from '../../model/page-requests.js';

const mb = (v: number): string => `${v.toFixed(v < 10 ? 1 : 0)} MB`;
const buffers = (v: number): string => `${Math.round(v)} buffers`;

/** One TaskManager: slots, tasks, and its resources over the last minutes. */
export function TaskManagerPage({ id }: { id: string }) {
  const polled = usePoll<TaskManagerDetailResponse>(taskManagerPath(id));
  const model = polled.data ? taskManagerDetailModel(polled.data, now.value) : undefined;
  return (
    <section aria-labelledby="tm-title">
      <p class="crumbs"><a href={routeHash({ page: 'taskmanagers' })}>TaskManagers</a> /</p>
      <h1 tabIndex={-1} id="tm-title">TaskManager {id}</h1>
      <FreshnessNote polled={polled} what="this TaskManager" />
      {model ? (
        <>
          {model.unreachable ? <p class="note note-stale" role="status">The TaskManager did not answer the JobManager's request for its figures: resources are not shown.</p> : null}
          <dl class="facts">
            <dt>Address</dt><dd>{model.address}</dd>
            <dt>Registered</dt><dd>{model.registered}</dd>
            <dt>Last heartbeat</dt><dd>{model.heartbeat}</dd>
            <dt>Slots</dt><dd>{model.slotsInUse}</dd>
            <dt>CPU</dt><dd data-figure="cpu">{model.current.cpu}</dd>
            <dt>Heap (control thread)</dt><dd data-figure="heap">{model.current.heap}</dd>
            <dt>Resident memory</dt><dd>{model.current.rss}</dd>
            <dt>Event-loop delay</dt><dd>{model.current.eventLoop}</dd>
            <dt>Heartbeat send delay</dt><dd>{model.current.heartbeatDelay}</dd>
            <dt>Network</dt><dd>{model.current.network}</dd>
            <dt>Network buffers</dt><dd>{model.current.buffers}</dd>
          </dl>
          <div class="charts">
            <TimeChart title="CPU (cores)" times={model.series.times} series={[{ label: 'CPU', values: model.series.cpu, colour: '#3a78c2', format: (v) => v.toFixed(2) }]} />
            <TimeChart title="Heap used" times={model.series.times} series={[{ label: 'heap', values: model.series.heapUsedMb, colour: '#8e6bd8', format: mb }]} />
            <TimeChart
              title="Event-loop delay of the control thread"
              times={model.series.times}
              series={[
                { label: 'p99', values: model.series.eventLoopP99Ms, colour: '#d08a2c', format: (v) => formatMillis(v) },
                { label: 'max', values: model.series.eventLoopMaxMs, colour: '#c2453c', format: (v) => formatMillis(v) },
              ]}
            />
            <TimeChart
              title="Network buffers queued"
              times={model.series.times}
              series={[
                { label: 'in', values: model.series.inputQueue, colour: '#2f8f6b', format: buffers },
                { label: 'out', values: model.series.outputQueue, colour: '#3a78c2', format: buffers },
              ]}
            />
          </div>
          <h2>Slots</h2>
          <ScrollTable label="Slots">
            <thead><tr><th scope="col">Slot</th><th scope="col">Job</th></tr></thead>
            <tbody>
              {model.slots.map((slot) => (
                <tr key={slot.index}><td class="num">{slot.index}</td><td>{slot.job ? <a href={routeHash({ page: 'job', jobId: slot.job, tab: 'overview' })}><code>{slot.job}</code></a> : 'free'}</td></tr>
              ))}
            </tbody>
          </ScrollTable>
          <h2>Tasks</h2>
          <ScrollTable label="Tasks">
            <thead><tr><th scope="col">Job</th><th scope="col">Task</th><th scope="col">Attempt</th><th scope="col">State</th></tr></thead>
            <tbody>
              {model.tasks.length === 0 ? <tr><td colSpan={4} class="empty">No task runs here.</td></tr> : null}
              {model.tasks.map((task) => (
                <tr key={task.key}>
                  <td><a href={routeHash({ page: 'job', jobId: task.jobId, tab: 'subtasks' })}>{task.job}</a></td>
                  <td>{task.task}</td>
                  <td class="num">{task.attempt}</td>
                  <td><StateBadge state={task.state} /></td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        </>
      ) : null}
    </section>
  );
}
