import type { Execution } from '../executiongraph/execution-graph.js';
import type { FailureCause } from './job-availability.js';
import type { JobFailure } from './job-details.js';

/** Failures kept in memory per job (the REST history shows the newest 16). */
const MAX_EXCEPTIONS_KEPT = 1000;

/**
 * A job's failures, oldest first, for `GET /jobs/:id/exceptions` and the job
 * details: every failure failover handled, and the one that failed the job.
 */
export class ExceptionHistory {
  readonly entries: JobFailure[] = [];

  constructor(private readonly now: () => number) {}

  /** A failure failover handles (the history keeps the newest MAX_EXCEPTIONS_KEPT). */
  record(failure: string, execution: Execution | undefined, cause: FailureCause): void {
    this.entries.push(this.entryOf(failure, execution, cause));
    if (this.entries.length > MAX_EXCEPTIONS_KEPT) this.entries.splice(0, this.entries.length - MAX_EXCEPTIONS_KEPT);
  }

  /** The failure that fails the job, unless it is the newest entry already. */
  recordJobFailure(failure: string, execution: Execution | undefined): void {
    if (this.entries.at(-1)?.message === failure) return;
    this.entries.push(this.entryOf(failure, execution, execution ? 'task' : 'job'));
  }

  private entryOf(failure: string, execution: Execution | undefined, cause: string): JobFailure {
    return {
      timestamp: this.now(),
      message: failure,
      task: execution ? `${execution.vertex.name} (${execution.subtaskIndex + 1}/${execution.vertex.parallelism})` : null,
      location: execution?.slot?.resourceId ?? null,
      cause,
    };
  }
}
