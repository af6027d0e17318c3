import type { JobMaster } from '../jobmaster/job-master.js';
import { archiveJob, isEndedJobStatus, type EndedJobStatus } from './archived-job.js';
import type { ArchivedJobStore } from './archived-job-store.js';
import { JobGoneError, UnknownJobError } from './job-gone-error.js';
import { archivedJobView, liveJobView, type JobView } from './job-view.js';

export interface JobCounts {
  readonly running: number;
  readonly finished: number;
  readonly cancelled: number;
  readonly failed: number;
}

/**
 * Every job this JobManager knows: the live JobMasters (not ended, or
 * SUSPENDED) and the archived ended jobs of the job store. A job that ends
 * is archived at once and its JobMaster dropped, so the store never lists
 * more than its capacity; once the JobMaster's checkpointing has shut down,
 * the archive takes its final checkpoint statistics. Counts of ended jobs
 * cover every job that ended here, also those the store no longer holds.
 */
export class JobDirectory {
  private readonly masters = new Map<string, JobMaster>();
  private readonly endedCounts: Record<EndedJobStatus, number> = { FINISHED: 0, CANCELED: 0, FAILED: 0 };

  constructor(readonly archive: ArchivedJobStore) {}

  /** A JobMaster now runs `master.jobId` here (a submission, or a job recovered from the HA job store). */
  add(master: JobMaster): void {
    this.masters.set(master.jobId, master);
    this.archive.delete(master.jobId);
  }

  /** The live JobMaster of `jobId`, if there is one. */
  master(jobId: string): JobMaster | undefined {
    return this.masters.get(jobId);
  }

  liveMasters(): JobMaster[] {
    return [...this.masters.values()];
  }

  /**
   * A job reached FINISHED, CANCELED or FAILED: counted in the overview for
   * good, archived, and its JobMaster dropped (calls for it now find the
   * archive). A JobMaster that was replaced, or is not ended, is left alone.
   */
  end(master: JobMaster): void {
    if (this.masters.get(master.jobId) !== master || !isEndedJobStatus(master.status)) return;
    this.endedCounts[master.status] += 1;
    this.archive.put(archiveJob(master, master.status));
    this.masters.delete(master.jobId);
  }

  /** An ended job's checkpointing shut down: its archive, if still held, takes the final checkpoint statistics. */
  release(master: JobMaster): void {
    if (isEndedJobStatus(master.status) && this.masters.get(master.jobId) === undefined) this.archive.refresh(archiveJob(master, master.status));
  }

  /** The job as the read endpoints show it; NOT_FOUND errors say whether it left the job store or was never known. */
  view(jobId: string): JobView {
    const master = this.masters.get(jobId);
    if (master) return liveJobView(master);
    const found = this.archive.get(jobId);
    if (found.kind === 'archived') return archivedJobView(found.job);
    if (found.kind === 'removed') throw new JobGoneError(found.removed, this.archive.settings);
    throw new UnknownJobError(jobId);
  }

  /** Archived jobs (oldest first), then the live ones in submission order. */
  list(): JobView[] {
    return [...this.archive.list().map(archivedJobView), ...[...this.masters.values()].map(liveJobView)];
  }

  counts(): JobCounts {
    let running = 0;
    for (const master of this.masters.values()) if (!isEndedJobStatus(master.status)) running += 1;
    return { running, finished: this.endedCounts.FINISHED, cancelled: this.endedCounts.CANCELED, failed: this.endedCounts.FAILED };
  }
}
