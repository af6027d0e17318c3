import { Counter, Gauge, type Registry } from '@rivulet/common';

/** JobManager metrics, Flink's names under the `rivulet_jobmanager_` prefix. */
export class JobManagerMetrics {
  readonly registeredTaskManagers: Gauge;
  readonly slotsTotal: Gauge;
  readonly slotsAvailable: Gauge;
  readonly runningJobs: Gauge;
  readonly taskManagersLost: Counter<'reason'>;
  readonly isLeader: Gauge;
  readonly leadershipChanges: Counter;

  constructor(registry: Registry) {
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
  }
}
