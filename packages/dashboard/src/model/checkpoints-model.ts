import { formatBytes, formatDuration, formatMillis, formatTimestamp, MISSING } from './format.js';
import type { CheckpointEntryJson, CheckpointsResponse } from './rest-types.js';

export interface CheckpointRow {
  readonly id: number;
  readonly status: CheckpointEntryJson['status'];
  readonly type: string;
  readonly triggered: string;
  readonly duration: string;
  readonly size: string;
  readonly acknowledged: string;
  /** The longest barrier alignment of the acknowledged subtasks, and the longest start delay ("12 ms (start 3 ms)"). */
  readonly alignment: string;
  /** Where it was written (completed), or why it failed. */
  readonly detail: string;
}

export interface CheckpointsModel {
  readonly counts: CheckpointsResponse['counts'];
  readonly latestCompleted: string;
  readonly latestSavepoint: string;
  readonly latestFailed: string;
  /** The checkpoint or savepoint the job last restored from, or "none". */
  readonly restored: string;
  readonly averageDuration: string;
  readonly averageSize: string;
  readonly rows: readonly CheckpointRow[];
  /** Completed checkpoints, oldest first, for the duration/size chart (seconds since the epoch, ms, bytes). */
  readonly series: { readonly times: number[]; readonly durations: number[]; readonly sizes: number[] };
}

function describe(entry: CheckpointEntryJson | null): string {
  if (!entry) return 'none';
  return `#${entry.id} at ${formatTimestamp(entry.trigger_timestamp)}, ${formatDuration(entry.end_to_end_duration)}, ${formatBytes(entry.state_size)}`;
}

/** `GET /jobs/:id/checkpoints` -> the checkpoints tab. */
export function checkpointsModel(stats: CheckpointsResponse): CheckpointsModel {
  const restored = stats.latest.restored;
  const completed = [...stats.history].filter((c) => c.status === 'COMPLETED').sort((a, b) => a.trigger_timestamp - b.trigger_timestamp);
  return {
    counts: stats.counts,
    latestCompleted: describe(stats.latest.completed),
    latestSavepoint: describe(stats.latest.savepoint),
    latestFailed: stats.latest.failed
      ? `#${stats.latest.failed.id} at ${formatTimestamp(stats.latest.failed.failure_timestamp ?? stats.latest.failed.trigger_timestamp)}: ${stats.latest.failed.failure_message ?? 'no reason given'}`
      : 'none',
    restored: restored
      ? `${restored.is_savepoint ? 'savepoint' : 'checkpoint'} #${restored.id} at ${formatTimestamp(restored.restore_timestamp)} from ${restored.external_path}`
      : 'none',
    averageDuration: stats.counts.completed > 0 ? formatDuration(stats.summary.end_to_end_duration.avg) : MISSING,
    averageSize: stats.counts.completed > 0 ? formatBytes(stats.summary.state_size.avg) : MISSING,
    rows: stats.history.map((entry) => ({
      id: entry.id,
      status: entry.status,
      type: entry.is_savepoint
        ? (entry.checkpoint_type === 'SYNC_SAVEPOINT' ? 'savepoint (stop)' : 'savepoint')
        : entry.checkpoint_type === 'UNALIGNED_CHECKPOINT' ? `checkpoint (unaligned, ${formatBytes(entry.persisted_data ?? 0)} in flight)` : 'checkpoint',
      triggered: formatTimestamp(entry.trigger_timestamp),
      duration: formatDuration(entry.end_to_end_duration),
      size: formatBytes(entry.state_size),
      acknowledged: `${entry.num_acknowledged_subtasks}/${entry.num_subtasks}`,
      alignment: entry.alignment_duration === undefined || entry.num_acknowledged_subtasks === 0
        ? MISSING
        : `${formatMillis(entry.alignment_duration)} (start ${formatMillis(entry.start_delay ?? 0)})`,
      detail: entry.status === 'FAILED' ? (entry.failure_message ?? 'failed') : entry.status === 'COMPLETED' ? (entry.external_path ?? '') : 'in progress',
    })),
    series: {
      times: completed.map((c) => c.trigger_timestamp / 1000),
      durations: completed.map((c) => c.end_to_end_duration),
      sizes: completed.map((c) => c.state_size),
    },
  };
}
