import { formatBytes, formatCores, formatDuration, formatMillis, formatTimestamp, MISSING } from './format.js';
import type { TaskManagerDetailResponse } from './rest-types.js';

export interface TaskManagerDetailModel {
  readonly id: string;
  readonly address: string;
  readonly registered: string;
  readonly heartbeat: string;
  readonly slots: readonly { readonly index: number; readonly job: string | null }[];
  readonly slotsInUse: string;
  readonly tasks: readonly { readonly key: string; readonly jobId: string; readonly job: string; readonly task: string; readonly attempt: number; readonly state: string }[];
  readonly current: {
    readonly cpu: string;
    readonly heap: string;
    readonly rss: string;
    readonly eventLoop: string;
    readonly heartbeatDelay: string;
    readonly network: string;
    readonly buffers: string;
  };
  /** Columns for the charts: seconds since the epoch, then one series each. */
  readonly series: {
    readonly times: number[];
    readonly cpu: number[];
    readonly heapUsedMb: number[];
    readonly eventLoopP99Ms: number[];
    readonly eventLoopMaxMs: number[];
    readonly inputQueue: number[];
    readonly outputQueue: number[];
  };
  /** The TaskManager did not answer the JobManager's request for its figures. */
  readonly unreachable: boolean;
}

/** `GET /taskmanagers/:id` -> the TaskManager page. */
export function taskManagerDetailModel(tm: TaskManagerDetailResponse, now: number): TaskManagerDetailModel {
  const history = tm.status?.history ?? [];
  const last = history.at(-1);
  const used = tm.slotsNumber - tm.freeSlots;
  return {
    id: tm.id,
    address: tm.path,
    registered: `${formatTimestamp(tm['registered-at'])} (${formatDuration(now - tm['registered-at'])} ago)`,
    heartbeat: `${formatDuration(tm.timeSinceLastHeartbeat)} ago`,
    slots: tm.slots.map((s) => ({ index: s.index, job: s['job-id'] })),
    slotsInUse: `${used} of ${tm.slotsNumber} in use`,
    tasks: tm.tasks.map((t) => ({
      key: `${t['job-id']}-${t['vertex-id']}-${t.subtask}`,
      jobId: t['job-id'],
      job: t['job-name'],
      task: `${t['vertex-name']} (${t.subtask + 1})`,
      attempt: t.attempt,
      state: t.state,
    })),
    current: {
      cpu: last ? formatCores(last.cpu) : MISSING,
      heap: last ? `${formatBytes(last['heap-used'])} of ${formatBytes(last['heap-total'])}` : MISSING,
      rss: last ? formatBytes(last.rss) : MISSING,
      eventLoop: last ? `p99 ${formatMillis(last['event-loop-delay-p99-ms'])}, max ${formatMillis(last['event-loop-delay-max-ms'])}` : MISSING,
      heartbeatDelay: formatMillis(tm.status?.['heartbeat-send-delay-ms'] ?? null),
      network: tm.status
        ? `${formatBytes(tm.status.network['bytes-in'])} in, ${formatBytes(tm.status.network['bytes-out'])} out, ${tm.status.network.connections} connections`
        : MISSING,
      buffers: last ? `${last['input-queue']} queued in, ${last['output-queue']} queued out` : MISSING,
    },
    series: {
      times: history.map((s) => s.t / 1000),
      cpu: history.map((s) => s.cpu),
      heapUsedMb: history.map((s) => s['heap-used'] / (1024 * 1024)),
      eventLoopP99Ms: history.map((s) => s['event-loop-delay-p99-ms']),
      eventLoopMaxMs: history.map((s) => s['event-loop-delay-max-ms']),
      inputQueue: history.map((s) => s['input-queue']),
      outputQueue: history.map((s) => s['output-queue']),
    },
    unreachable: tm.status === null,
  };
}
