import { Counter, Gauge, Histogram, type Registry } from '@rivulet/common';

export interface JobManagerMetricsOptions {
  /** `heartbeat.interval`: the heartbeat-gap buckets are placed around it. */
  readonly heartbeatIntervalMs?: number;
}

/**
 * Buckets (seconds) for the gap between two heartbeats of a TaskManager:
 * from 10 ms to 10 s on either side of `heartbeat.interval` (a heartbeat is
 * due every interval, so that is where a healthy gap falls), plus 10 ms and
 * 100 ms for heartbeats that arrive back to back after a stall.
 */
export function heartbeatGapBuckets(intervalMs: number): number[] {
  const interval = intervalMs / 1000;
  const offsets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5];
  const candidates = [
    0.01,
    0.1,
    interval / 2,
    ...offsets.map((d) => interval - d),
    interval,
    ...offsets.map((d) => interval + d),
    interval + 1,
    interval + 2.5,
    interval + 5,
    interval + 10,
  ];
  const rounded = candidates.filter((b) => b > 0).map((b) => Math.round(b * 1000) / 1000);
  return [...new Set(rounded)].sort((a, b) => a - b);
}

/** JobManager metrics, Flink's names under the `rivulet_jobmanager_` prefix. */
export class JobManagerMetrics {
  readonly registeredTaskManagers: Gauge;
  readonly slotsTotal: Gauge;
  readonly slotsAvailable: Gauge;
  readonly runningJobs: Gauge;
  readonly taskManagersLost: Counter<'reason'>;
  readonly isLeader: Gauge;
  readonly leadershipChanges: Counter;
  /** Gap between consecutive heartbeats received from each TaskManager (`tm_id`: its resource id). */
  readonly heartbeatGap: Histogram<'tm_id'>;
  /** The largest such gap per TaskManager since it registered. */
  readonly heartbeatGapMax: Gauge<'tm_id'>;
  private readonly largestGapMs = new Map<string, number>();

  constructor(registry: Registry, options: JobManagerMetricsOptions = {}) {
    this.registeredTaskManagers = new Gauge({
      name: 'rivulet_jobmanager_numRegisteredTaskManagers',
      help: 'TaskManagers currently registered with this JobManager.',
      registers: [registry],
    });
    this.slotsTotal = new Gauge({
      name: 'rivulet_jobmanager_taskSlotsTotal',
      help: 'Slots offered by all registered TaskManagers.',
      registers: [registry],
    });
    this.slotsAvailable = new Gauge({
      name: 'rivulet_jobmanager_taskSlotsAvailable',
      help: 'Slots not allocated to any job.',
      registers: [registry],
    });
    this.runningJobs = new Gauge({
      name: 'rivulet_jobmanager_numRunningJobs',
      help: 'Jobs in a non-terminal state.',
      registers: [registry],
    });
    this.taskManagersLost = new Counter({
      name: 'rivulet_jobmanager_taskmanagers_lost_total',
      help: 'TaskManagers that stopped being registered, by reason (connection, heartbeat-timeout, graceful-shutdown, disconnect, replaced).',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.isLeader = new Gauge({
      name: 'rivulet_jobmanager_is_leader',
      help: '1 while this JobManager holds leadership, else 0.',
      registers: [registry],
    });
    this.leadershipChanges = new Counter({
      name: 'rivulet_jobmanager_leadership_grants_total',
      help: 'Times this JobManager was granted leadership.',
      registers: [registry],
    });
    this.heartbeatGap = new Histogram({
      name: 'rivulet_jobmanager_taskmanager_heartbeat_gap_seconds',
      help: 'Time between two consecutive heartbeats received from a TaskManager (heartbeat.interval when healthy), per TaskManager (tm_id).',
      labelNames: ['tm_id'],
      buckets: heartbeatGapBuckets(options.heartbeatIntervalMs ?? 1000),
      registers: [registry],
    });
    this.heartbeatGapMax = new Gauge({
      name: 'rivulet_jobmanager_taskmanager_heartbeat_gap_max_seconds',
      help: 'Largest gap between two consecutive heartbeats received from a TaskManager (tm_id) since it registered.',
      labelNames: ['tm_id'],
      registers: [registry],
    });
  }

  /** Records the gap before a heartbeat of TaskManager `tmId`. */
  observeHeartbeatGap(tmId: string, gapMs: number): void {
    const seconds = Math.max(0, gapMs) / 1000;
    this.heartbeatGap.observe({ tm_id: tmId }, seconds);
    const largest = Math.max(this.largestGapMs.get(tmId) ?? 0, gapMs);
    this.largestGapMs.set(tmId, largest);
    this.heartbeatGapMax.set({ tm_id: tmId }, largest / 1000);
  }

  /** Drops a TaskManager's heartbeat series once it is no longer registered, so they do not pile up. */
  removeTaskManager(tmId: string): void {
    this.largestGapMs.delete(tmId);
    this.heartbeatGap.remove({ tm_id: tmId });
    this.heartbeatGapMax.remove({ tm_id: tmId });
  }
}
