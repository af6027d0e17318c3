import type { JobStatus } from '@rivulet/common';
import type { JobMaster } from '../jobmaster/job-master.js';
import { jobExceptionsJson } from '../jobmaster/job-exceptions.js';
import { jobConfigJson } from '../jobmaster/job-config.js';
import { jobPlanJson } from '../jobmaster/job-plan.js';
import type { ArchivedJob } from './archived-job.js';

/** What the read endpoints (REST, ListJobs, GetJob) show of a job, running or archived alike. */
export interface JobView {
  readonly jobId: string;
  readonly name: string;
  readonly status: JobStatus;
  readonly startTime: number;
  /** 0 while the job has not ended. */
  readonly endTime: number;
  detailsJson(): string;
  checkpointsJson(): string;
  exceptionsJson(): string;
  /** `GET /jobs/:id/plan` (job-plan.ts). */
  planJson(): string;
  /** `GET /jobs/:id/config` (job-config.ts). */
  configJson(): string;
}

export function liveJobView(master: JobMaster): JobView {
  const ts = master.statusTimestamps;
  return {
    jobId: master.jobId,
    name: master.name,
    status: master.status,
    startTime: ts.CREATED ?? 0,
    endTime: ts.FINISHED ?? ts.FAILED ?? ts.CANCELED ?? 0,
    detailsJson: () => JSON.stringify(master.details()),
    checkpointsJson: () => JSON.stringify(master.checkpointing.coordinator.statistics.toJSON()),
    exceptionsJson: () => JSON.stringify(jobExceptionsJson(master.exceptions)),
    planJson: () => JSON.stringify(jobPlanJson(master)),
    configJson: () => JSON.stringify(jobConfigJson(master)),
  };
}

export function archivedJobView(job: ArchivedJob): JobView {
  return {
    jobId: job.jobId,
    name: job.name,
    status: job.status,
    startTime: job.startTime,
    endTime: job.endTime,
    detailsJson: () => job.detailsJson,
    checkpointsJson: () => job.checkpointsJson,
    exceptionsJson: () => job.exceptionsJson,
    planJson: () => job.planJson,
    configJson: () => job.configJson,
  };
}
