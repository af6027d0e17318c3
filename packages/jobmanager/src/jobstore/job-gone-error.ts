import { RivuletError, formatDuration } from '@rivulet/common';
import type { JobStoreSettings, RemovedJob } from './archived-job-store.js';

/**
 * A job that ended and has left the job store (REST 404, gRPC NOT_FOUND,
 * `rivulet status` exit code 1), with a message saying why, which key
 * decided it and when the job ended.
 */
export class JobGoneError extends RivuletError {
  override readonly name = 'JobGoneError';

  constructor(readonly removed: RemovedJob, settings: JobStoreSettings) {
    super('NOT_FOUND', goneMessage(removed, settings));
  }
}

export function goneMessage(removed: RemovedJob, settings: JobStoreSettings): string {
  const job = `job ${removed.jobId} (${removed.name}) ended ${removed.status} at ${new Date(removed.endTime).toISOString()}`;
  return removed.reason === 'expired'
    ? `${job} and expired from the job store: ended jobs are kept for jobstore.expiration-time (${formatDuration(settings.expirationMs)})`
    : `${job} and was evicted from the job store: only the newest jobstore.max-capacity (${settings.maxCapacity}) ended jobs are kept`;
}

/** A job id this JobManager does not know (never submitted here, or removed from the job store too long ago to remember). */
export class UnknownJobError extends RivuletError {
  override readonly name = 'UnknownJobError';

  constructor(readonly jobId: string) {
    super('NOT_FOUND', `no job with id "${jobId}"`);
  }
}
