/**
 * Checkpoint metrics of every job on this JobManager, Flink's names under
 * `rivulet_jobmanager_job_` (Flink's Prometheus reporter writes
 * `flink_jobmanager_job_<name>`), labelled `job_id`. Values are read from each
 * job's CheckpointStatsTracker at scrape time, so they always equal what
 * `GET /jobs/:id/checkpoints` shows; an untracked job's series disappear.
 */
import { Gauge, type Registry } from '@rivulet/common';
import type { CheckpointStatsTracker } from './checkpoint-stats-tracker.js';

type StatsGetter = (stats: CheckpointStatsTracker) => number;

const DEFINITIONS: readonly (readonly [name: string, help: string, read: StatsGetter])[] = [
  ['lastCheckpointDuration', 'End-to-end duration of the latest completed checkpoint in ms (-1 before any).', (s) => s.lastCheckpointDuration],
  ['lastCheckpointSize', 'State size of the latest completed checkpoint in bytes (-1 before any).', (s) => s.lastCheckpointSize],
  ['numberOfCompletedCheckpoints', 'Checkpoints and savepoints completed since the job started.', (s) => s.numberOfCompletedCheckpoints],
  ['numberOfFailedCheckpoints', 'Checkpoints and savepoints failed since the job started.', (s) => s.numberOfFailedCheckpoints],
  ['numberOfInProgressCheckpoints', 'Checkpoints and savepoints in progress.', (s) => s.numberOfInProgressCheckpoints],
];

export const CHECKPOINT_METRIC_PREFIX = 'rivulet_jobmanager_job_';

export class CheckpointMetrics {
  private readonly jobs = new Map<string, CheckpointStatsTracker>();

  constructor(registry: Registry) {
    const jobs = this.jobs;
    for (const [name, help, read] of DEFINITIONS) {
      new Gauge({
        name: `${CHECKPOINT_METRIC_PREFIX}${name}`,
        help,
        labelNames: ['job_id'],
        registers: [registry],
        collect() {
          this.reset();
          for (const [jobId, stats] of jobs) this.set({ job_id: jobId }, read(stats));
        },
      });
    }
  }

  /** Exports `stats` as the job's metrics until the returned function is called (when the job ends). */
  track(jobId: string, stats: CheckpointStatsTracker): () => void {
    this.jobs.set(jobId, stats);
    return () => {
      if (this.jobs.get(jobId) === stats) this.jobs.delete(jobId);
    };
  }
}
