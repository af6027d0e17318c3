import { formatDuration, formatTimestamp } from './format.js';
import type { JobOverviewRow, JobState } from './rest-types.js';

/** States of a job that will not change any more. */
const ENDED: ReadonlySet<JobState> = new Set<JobState>(['FINISHED', 'CANCELED', 'FAILED']);

export function isEndedJob(state: JobState): boolean {
  return ENDED.has(state);
}

/** The colour family of a state badge: running, ended well, ended badly, in between. */
export type StateTone = 'running' | 'finished' | 'failed' | 'cancelled' | 'transient';

export function stateTone(state: string): StateTone {
  switch (state) {
    case 'RUNNING':
      return 'running';
    case 'FINISHED':
      return 'finished';
    case 'FAILED':
    case 'FAILING':
      return 'failed';
    case 'CANCELED':
    case 'CANCELLING':
    case 'CANCELING':
      return 'cancelled';
    default:
      return 'transient';
  }
}

export interface JobRow {
  readonly id: string;
  readonly name: string;
  readonly state: JobState;
  readonly tone: StateTone;
  readonly ended: boolean;
  readonly started: string;
  readonly ended_at: string;
  readonly duration: string;
  readonly durationMs: number;
  readonly startTime: number;
  readonly parallelism: number;
  /** "12/16 running" of its subtasks. */
  readonly tasks: string;
}

export type JobFilter = 'all' | 'running' | 'ended';

export interface JobQuery {
  readonly filter: JobFilter;
  /** Matched case-insensitively against the name, the id and the state. */
  readonly search: string;
}

/** `GET /jobs/overview` -> rows, newest first, `now` giving a running job's duration. */
export function jobRows(jobs: readonly JobOverviewRow[], now: number): JobRow[] {
  return [...jobs]
    .sort((a, b) => b['start-time'] - a['start-time'])
    .map((job) => {
      const ended = isEndedJob(job.state);
      const durationMs = ended || job['end-time'] > 0 ? job.duration : Math.max(job.duration, now - job['start-time']);
      const total = Object.values(job.tasks).reduce((sum, n) => sum + n, 0);
      return {
        id: job.jid,
        name: job.name,
        state: job.state,
        tone: stateTone(job.state),
        ended,
        started: formatTimestamp(job['start-time']),
        ended_at: job['end-time'] > 0 ? formatTimestamp(job['end-time']) : '',
        duration: formatDuration(durationMs),
        durationMs,
        startTime: job['start-time'],
        parallelism: job.parallelism,
        tasks: `${job.tasks['RUNNING'] ?? 0}/${total} running`,
      };
    });
}

/** The rows the filter and the search keep. */
export function filterJobs(rows: readonly JobRow[], query: JobQuery): JobRow[] {
  const needle = query.search.trim().toLowerCase();
  return rows.filter((row) => {
    if (query.filter === 'running' && row.ended) return false;
    if (query.filter === 'ended' && !row.ended) return false;
    if (needle === '') return true;
    return row.name.toLowerCase().includes(needle) || row.id.toLowerCase().includes(needle) || row.state.toLowerCase().includes(needle);
  });
}
