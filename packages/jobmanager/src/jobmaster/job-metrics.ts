/**
 * Restart and availability metrics of every job on this JobManager, Flink's
 * names under `rivulet_jobmanager_job_` labelled `job_id` (read at scrape time
 * from each job's JobAvailability), plus failures by cause.
 */
import { Gauge, type Registry } from '@rivulet/common';
import type { JobAvailability } from './job-availability.js';

const PREFIX = 'rivulet_jobmanager_job_';

const GAUGES: readonly (readonly [name: string, help: string, read: (a: JobAvailability) => number])[] = [
  ['numRestarts', 'Restarts of the job or of some of its regions since it was submitted.', (a) => a.numRestarts],
  ['uptime', 'Ms since every subtask last became RUNNING without an outage since (0 while not all run, -1 once ended).', (a) => a.uptime()],
  ['downtime', 'Ms of the current outage, from a failure until every subtask runs again (0 when none, -1 once ended).', (a) => a.downtime()],
  ['restartingTime', 'Ms of the current outage, else of the last one.', (a) => a.restartingTime()],
];

export class JobMetrics {
  private readonly jobs = new Map<string, JobAvailability>();

  constructor(registry: Registry) {
    const jobs = this.jobs;
    for (const [name, help, read] of GAUGES) {
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        labelNames: ['job_id'],
        registers: [registry],
        collect() {
          this.reset();
          for (const [jobId, availability] of jobs) this.set({ job_id: jobId }, read(availability));
        },
      });
    }
    new Gauge({
      name: `${PREFIX}numFailures`,
      help: 'Failures of the job by cause (task, taskmanager-lost, deploy, checkpointing, slots).',
      labelNames: ['job_id', 'cause'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [jobId, availability] of jobs) {
          for (const [cause, count] of availability.failuresByCause) this.set({ job_id: jobId, cause }, count);
        }
      },
    });
  }

  /** Exports the job's figures until the returned function is called. */
  track(jobId: string, availability: JobAvailability): () => void {
    this.jobs.set(jobId, availability);
    return () => {
      if (this.jobs.get(jobId) === availability) this.jobs.delete(jobId);
    };
  }
}
