import { formatAge, formatByteRate, formatBytes, formatCount, formatDuration, formatPercent, formatRecordRate, formatWatermark, MISSING } from './format.js';
import { stateTone, type StateTone } from './jobs-model.js';
import type { JobTaskMetricsResponse } from './rest-types.js';

/** Figures older than this are shown as stale (their TaskManager stopped answering). */
export const STALE_TASK_FIGURES_MS = 5000;

export interface SubtaskRow {
  readonly key: string;
  readonly subtask: string;
  readonly state: string;
  readonly tone: StateTone;
  /** The attempt number; a dash for an ended job's subtask (the archive does not keep it). */
  readonly attempt: string;
  readonly taskManager: string;
  readonly duration: string;
  readonly recordsIn: string;
  readonly recordsOut: string;
  readonly rateIn: string;
  readonly rateOut: string;
  /** Bytes from and to other slots and TaskManagers, with their rates ("12 MB · 1.5 MB/s"). */
  readonly bytesIn: string;
  readonly bytesOut: string;
  readonly busy: string;
  readonly backpressured: string;
  readonly watermark: string;
  /** Its figures are older than STALE_TASK_FIGURES_MS, or missing while it runs. */
  readonly stale: boolean;
  readonly age: string;
}

export interface VertexSubtasks {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly rows: readonly SubtaskRow[];
}

/** `GET /jobs/:id/task-metrics` -> one table per vertex. */
export function subtaskTables(response: JobTaskMetricsResponse, now: number): VertexSubtasks[] {
  return response.vertices.map((vertex) => ({
    id: vertex.id,
    name: vertex.name,
    parallelism: vertex.parallelism,
    rows: vertex.subtasks.map((s): SubtaskRow => {
      const m = s.metrics;
      const running = s.state === 'RUNNING';
      return {
        key: `${vertex.id}-${s.subtask}`,
        subtask: `${s.subtask + 1}/${vertex.parallelism}`,
        state: s.state,
        tone: stateTone(s.state),
        attempt: s.attempt < 0 ? MISSING : String(s.attempt),
        taskManager: s.taskmanager ? `${s.taskmanager}${s.host ? ` (${s.host})` : ''}` : MISSING,
        duration: s['start-time'] ? formatDuration(now - s['start-time']) : MISSING,
        recordsIn: formatCount(m?.['records-in']),
        recordsOut: formatCount(m?.['records-out']),
        rateIn: formatRecordRate(m?.['records-in-per-second']),
        rateOut: formatRecordRate(m?.['records-out-per-second']),
        bytesIn: bytesWithRate(m?.['bytes-in'], m?.['bytes-in-per-second']),
        bytesOut: bytesWithRate(m?.['bytes-out'], m?.['bytes-out-per-second']),
        busy: formatPercent(m ? m['busy-time-ms-per-second'] / 1000 : null),
        backpressured: formatPercent(m ? m['backpressured-time-ms-per-second'] / 1000 : null),
        watermark: m ? formatWatermark(m['input-watermark'] ?? m['output-watermark']) : MISSING,
        stale: running && (m === null || m['age-ms'] > STALE_TASK_FIGURES_MS),
        age: m ? formatAge(m['age-ms']) : 'no figures',
      };
    }),
  }));
}

function bytesWithRate(total: number | undefined, perSecond: number | undefined): string {
  return total === undefined ? MISSING : `${formatBytes(total)} · ${formatByteRate(perSecond)}`;
}
