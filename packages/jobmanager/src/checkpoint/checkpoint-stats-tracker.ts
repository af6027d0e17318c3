/**
 * Checkpoint statistics of one job: counts since the job started, the latest
 * of each kind, a summary of completed ones, and the recent history
 * (`web.checkpoints.history` entries, in-progress ones included). `toJSON()`
 * is the body of `GET /jobs/:id/checkpoints` in Flink's shape; the getters
 * feed the Prometheus gauges (checkpoint-metrics.ts).
 *
 * Durations: in progress, latest acknowledgement − trigger; completed,
 * completion (metadata durable and recorded) − trigger; failed, failure −
 * trigger. Sizes are bytes of state as the tasks reported them.
 */
import type { SubtaskCheckpointMetrics } from '@rivulet/common';
import type { CheckpointFailure } from './checkpoint-failure.js';
import type { CheckpointKind } from './checkpoint-types.js';

export type CheckpointStatsStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface CheckpointStats {
  readonly id: number;
  readonly kind: CheckpointKind;
  status: CheckpointStatsStatus;
  readonly triggerTimestamp: number;
  latestAckTimestamp: number | undefined;
  readonly numSubtasks: number;
  numAcknowledgedSubtasks: number;
  stateSize: number;
  /** The longest barrier alignment and start delay of the subtasks that acknowledged, ms. */
  alignmentDuration: number;
  startDelay: number;
  /** Bytes of in-flight data the acknowledged subtasks stored (unaligned checkpoints). */
  persistedData: number;
  /** An unaligned checkpoint (a checkpoint of a job with execution.checkpointing.unaligned.enabled). */
  readonly unaligned: boolean;
  /** Set once COMPLETED or FAILED. */
  endTimestamp: number | undefined;
  externalPath: string | undefined;
  /** A completed checkpoint whose files retention has deleted. */
  discarded: boolean;
  failure: CheckpointFailure | undefined;
}

export interface RestoredStats {
  readonly checkpointId: number;
  readonly restoreTimestamp: number;
  readonly savepoint: boolean;
  readonly externalPath: string;
}

const CHECKPOINT_TYPE: Record<CheckpointKind, string> = {
  checkpoint: 'CHECKPOINT',
  savepoint: 'SAVEPOINT',
  'terminating-savepoint': 'SYNC_SAVEPOINT',
};

class MinMaxAvg {
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private sum = 0;
  private count = 0;

  add(value: number): void {
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    this.sum += value;
    this.count += 1;
  }

  toJSON(): { min: number; max: number; avg: number } {
    return this.count === 0
      ? { min: 0, max: 0, avg: 0 }
      : { min: this.min, max: this.max, avg: Math.round(this.sum / this.count) };
  }
}

export class CheckpointStatsTracker {
  private readonly history: CheckpointStats[] = []; // oldest first
  private readonly inProgress = new Map<number, CheckpointStats>();
  private readonly counts = { restored: 0, total: 0, completed: 0, failed: 0 };
  private readonly stateSizes = new MinMaxAvg();
  private readonly durations = new MinMaxAvg();
  private latestCompleted: CheckpointStats | undefined;
  private latestSavepoint: CheckpointStats | undefined;
  private latestFailed: CheckpointStats | undefined;
  private latestRestored: RestoredStats | undefined;

  private readonly persistedData = new MinMaxAvg();

  /** `unaligned`: the job's checkpoints (not its savepoints) are unaligned (Flink's checkpoint_type UNALIGNED_CHECKPOINT). */
  constructor(
    private readonly historySize: number,
    private readonly unaligned = false,
  ) {}

  reportPending(id: number, kind: CheckpointKind, triggerTimestamp: number, numSubtasks: number): void {
    const stats: CheckpointStats = {
      id, kind, status: 'IN_PROGRESS', triggerTimestamp, latestAckTimestamp: undefined, numSubtasks,
      numAcknowledgedSubtasks: 0, stateSize: 0, alignmentDuration: 0, startDelay: 0, persistedData: 0, endTimestamp: undefined, externalPath: undefined, discarded: false, failure: undefined,
      unaligned: this.unaligned && kind === 'checkpoint',
    };
    this.counts.total += 1;
    this.inProgress.set(id, stats);
    this.history.push(stats);
    if (this.history.length > this.historySize) this.history.shift();
  }

  reportAcknowledged(id: number, ackTimestamp: number, numAcknowledged: number, stateSize: number, metrics?: SubtaskCheckpointMetrics): void {
    const stats = this.inProgress.get(id);
    if (!stats) return;
    stats.latestAckTimestamp = ackTimestamp;
    stats.numAcknowledgedSubtasks = numAcknowledged;
    stats.stateSize = stateSize;
    if (metrics) {
      stats.alignmentDuration = Math.max(stats.alignmentDuration, metrics.alignmentDurationMs);
      stats.startDelay = Math.max(stats.startDelay, metrics.startDelayMs);
      stats.persistedData += metrics.persistedDataBytes ?? 0;
    }
  }

  reportCompleted(id: number, completionTimestamp: number, stateSize: number, externalPath: string): void {
    const stats = this.end(id, 'COMPLETED', completionTimestamp);
    if (!stats) return;
    stats.stateSize = stateSize;
    stats.externalPath = externalPath;
    stats.numAcknowledgedSubtasks = stats.numSubtasks;
    this.counts.completed += 1;
    this.stateSizes.add(stateSize);
    this.durations.add(completionTimestamp - stats.triggerTimestamp);
    this.persistedData.add(stats.persistedData);
    if (stats.kind === 'checkpoint') this.latestCompleted = stats;
    else this.latestSavepoint = stats;
  }

  reportFailed(id: number, failureTimestamp: number, failure: CheckpointFailure): void {
    const stats = this.end(id, 'FAILED', failureTimestamp);
    if (!stats) return;
    stats.failure = failure;
    this.counts.failed += 1;
    this.latestFailed = stats;
  }

  /** A trigger that failed before it got an id (e.g. the job was not running): counted, not in the history. */
  reportFailedBeforeTrigger(): void {
    this.counts.total += 1;
    this.counts.failed += 1;
  }

  /** Retention deleted the files of completed checkpoint `id`. */
  reportDiscarded(id: number): void {
    for (const stats of this.history) if (stats.id === id) stats.discarded = true;
  }

  reportRestored(restored: RestoredStats): void {
    this.counts.restored += 1;
    this.latestRestored = restored;
  }

  get numberOfInProgressCheckpoints(): number {
    return this.inProgress.size;
  }

  get numberOfCompletedCheckpoints(): number {
    return this.counts.completed;
  }

  get numberOfFailedCheckpoints(): number {
    return this.counts.failed;
  }

  /** End-to-end duration of the latest completed checkpoint (not savepoint), ms; -1 before any (Flink). */
  get lastCheckpointDuration(): number {
    const c = this.latestCompleted;
    return c?.endTimestamp === undefined ? -1 : c.endTimestamp - c.triggerTimestamp;
  }

  /** State size of the latest completed checkpoint (not savepoint), bytes; -1 before any (Flink). */
  get lastCheckpointSize(): number {
    return this.latestCompleted?.stateSize ?? -1;
  }

  /** Recent checkpoints, newest first. */
  recent(): readonly Readonly<CheckpointStats>[] {
    return [...this.history].reverse();
  }

  /** `GET /jobs/:id/checkpoints`, Flink's CheckpointingStatistics. */
  toJSON(): Record<string, unknown> {
    const sizes = this.stateSizes.toJSON();
    return {
      counts: {
        restored: this.counts.restored,
        total: this.counts.total,
        in_progress: this.inProgress.size,
        completed: this.counts.completed,
        failed: this.counts.failed,
      },
      summary: { checkpointed_size: sizes, state_size: sizes, end_to_end_duration: this.durations.toJSON(), persisted_data: this.persistedData.toJSON() },
      latest: {
        completed: this.latestCompleted ? entryJson(this.latestCompleted) : null,
        savepoint: this.latestSavepoint ? entryJson(this.latestSavepoint) : null,
        failed: this.latestFailed ? entryJson(this.latestFailed) : null,
        restored: this.latestRestored
          ? {
              id: this.latestRestored.checkpointId,
              restore_timestamp: this.latestRestored.restoreTimestamp,
              is_savepoint: this.latestRestored.savepoint,
              external_path: this.latestRestored.externalPath,
            }
          : null,
      },
      history: this.recent().map(entryJson),
    };
  }

  private end(id: number, status: 'COMPLETED' | 'FAILED', at: number): CheckpointStats | undefined {
    const stats = this.inProgress.get(id);
    if (!stats) return undefined;
    this.inProgress.delete(id);
    stats.status = status;
    stats.endTimestamp = at;
    return stats;
  }
}

function entryJson(stats: Readonly<CheckpointStats>): Record<string, unknown> {
  const end = stats.endTimestamp ?? stats.latestAckTimestamp;
  const entry: Record<string, unknown> = {
    className: stats.status === 'COMPLETED' ? '.CompletedCheckpointStatistics'
      : stats.status === 'FAILED' ? '.FailedCheckpointStatistics' : '.PendingCheckpointStatistics',
    id: stats.id,
    status: stats.status,
    is_savepoint: stats.kind !== 'checkpoint',
    savepointFormat: stats.kind === 'checkpoint' ? null : 'CANONICAL',
    trigger_timestamp: stats.triggerTimestamp,
    latest_ack_timestamp: stats.latestAckTimestamp ?? -1,
    checkpointed_size: stats.stateSize,
    state_size: stats.stateSize,
    end_to_end_duration: end === undefined ? 0 : Math.max(0, end - stats.triggerTimestamp),
    alignment_buffered: 0,
    // Rivulet's: the longest of the acknowledged subtasks' (Flink has them per subtask, in the checkpoint's details).
    alignment_duration: stats.alignmentDuration,
    start_delay: stats.startDelay,
    processed_data: 0,
    // Unaligned checkpoints: in-flight bytes the subtasks stored with their snapshots, summed.
    persisted_data: stats.persistedData,
    num_subtasks: stats.numSubtasks,
    num_acknowledged_subtasks: stats.numAcknowledgedSubtasks,
    checkpoint_type: stats.unaligned ? 'UNALIGNED_CHECKPOINT' : CHECKPOINT_TYPE[stats.kind],
    tasks: {},
  };
  if (stats.status === 'COMPLETED') {
    entry['external_path'] = stats.externalPath ?? null;
    entry['discarded'] = stats.discarded;
  }
  if (stats.status === 'FAILED') {
    entry['failure_timestamp'] = stats.endTimestamp ?? -1;
    entry['failure_message'] = stats.failure?.message ?? null;
    entry['failure_reason'] = stats.failure?.reason ?? null;
  }
  return entry;
}
