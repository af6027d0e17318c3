import type { JobStatus } from '@rivulet/common';
import type { JobMaster } from '../jobmaster/job-master.js';
import { jobExceptionsJson } from '../jobmaster/job-exceptions.js';
import { jobConfigJson } from '../jobmaster/job-config.js';
import { jobPlanJson } from '../jobmaster/job-plan.js';

/** The states a job is archived in (SUSPENDED is not one: another leader carries the job on). */
export type EndedJobStatus = 'FINISHED' | 'CANCELED' | 'FAILED';

export function isEndedJobStatus(status: JobStatus): status is EndedJobStatus {
  return status === 'FINISHED' || status === 'CANCELED' || status === 'FAILED';
}

/**
 * What the JobManager keeps of an ended job (Flink's ArchivedExecutionGraph):
 * what `GET /jobs`, `/jobs/:id`, `/jobs/:id/checkpoints`,
 * `/jobs/:id/exceptions`, `rivulet list`/`status` and the result of
 * `rivulet run` read — as JSON text, so nothing of the live JobMaster, its
 * execution graph or its checkpoint coordinator stays reachable.
 */
export interface ArchivedJob {
  readonly jobId: string;
  readonly name: string;
  readonly status: EndedJobStatus;
  readonly startTime: number;
  readonly endTime: number;
  /** `GET /jobs/:id` (jobDetailsJson), results of collect sinks included. */
  readonly detailsJson: string;
  /** `GET /jobs/:id/checkpoints`. */
  readonly checkpointsJson: string;
  /** `GET /jobs/:id/exceptions`. */
  readonly exceptionsJson: string;
  /** `GET /jobs/:id/plan`: the dashboard draws an ended job's graph from it. */
  readonly planJson: string;
  /** `GET /jobs/:id/config`. */
  readonly configJson: string;
}

/** Archives an ended job: its details, checkpoint statistics and exception history as they are now. */
export function archiveJob(master: JobMaster, status: EndedJobStatus): ArchivedJob {
  return {
    jobId: master.jobId,
    name: master.name,
    status,
    startTime: master.statusTimestamps.CREATED ?? 0,
    endTime: master.statusTimestamps[status] ?? 0,
    detailsJson: JSON.stringify(master.details()),
    checkpointsJson: JSON.stringify(master.checkpointing.coordinator.statistics.toJSON()),
    exceptionsJson: JSON.stringify(jobExceptionsJson(master.exceptions)),
    planJson: JSON.stringify(jobPlanJson(master)),
    configJson: JSON.stringify(jobConfigJson(master)),
  };
}
