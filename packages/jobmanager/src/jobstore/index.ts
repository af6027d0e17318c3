export { archiveJob, isEndedJobStatus, type ArchivedJob, type EndedJobStatus } from './archived-job.js';
export {
  ArchivedJobStore,
  REMEMBERED_REMOVALS,
  type JobStoreLookup,
  type JobStoreSettings,
  type JobStoreTimers,
  type RemovedJob,
} from './archived-job-store.js';
export { JobGoneError, UnknownJobError, goneMessage } from './job-gone-error.js';
export { archivedJobView, liveJobView, type JobView } from './job-view.js';
export { JobDirectory, type JobCounts } from './job-directory.js';
