import { Counter, Gauge, type Registry } from '@rivulet/common';

/** TaskManager metrics under the `rivulet_taskmanager_` prefix. */
export class TaskManagerMetrics {
  readonly slotsTotal: Gauge;
  readonly slotsAvailable: Gauge;
  readonly registered: Gauge;
  readonly registrations: Counter;
  readonly jobManagerConnectionsLost: Counter<'reason'>;

  /** `freeSlots` is read at every scrape: slots are allocated and freed by the JobManager's calls. */
  constructor(registry: Registry, freeSlots: () => number) {
    this.slotsTotal = new Gauge({
      name: 'rivulet_taskmanager_Status_TaskSlots_total',
      help: 'Slots this TaskManager offers.',
      registers: [registry],
    });
    this.slotsAvailable = new Gauge({
      name: 'rivulet_taskmanager_Status_TaskSlots_available',
      help: 'Slots of this TaskManager not allocated to a job.',
      registers: [registry],
      collect() {
        this.set(freeSlots());
      },
    });
    this.registered = new Gauge({
      name: 'rivulet_taskmanager_registered',
      help: '1 while registered with a JobManager, else 0.',
      registers: [registry],
    });
    this.registrations = new Counter({
      name: 'rivulet_taskmanager_registrations_total',
      help: 'Successful registrations with a JobManager.',
      registers: [registry],
    });
    this.jobManagerConnectionsLost = new Counter({
      name: 'rivulet_taskmanager_jobmanager_connections_lost_total',
      help: 'Registrations that ended, by reason (stream-ended, heartbeat-timeout, refused).',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}
