import { errorMessage, isTerminalExecutionState } from '@rivulet/common';
import type { Execution } from '../executiongraph/execution-graph.js';
import type { JobContext } from './job-context.js';

/** Attempts that do not confirm their cancellation within this are counted as canceled. */
export const CANCEL_TIMEOUT_MS = 10_000;

/**
 * Cancels a job's execution attempts: an attempt never deployed at once, a
 * deployed one by a call to its TaskManager, whose report ends it (a failed
 * call counts as canceled). When the whole job is cancelled, attempts still
 * unconfirmed after CANCEL_TIMEOUT_MS count as canceled, so a TaskManager
 * that never answers cannot keep the job from ending.
 */
export class AttemptCancellation {
  private deadline: NodeJS.Timeout | undefined;

  constructor(private readonly job: Pick<JobContext, 'jobId' | 'graph' | 'gateway' | 'session' | 'log'>) {}

  /** Cancels one live attempt; `afterCanceled` runs when a failed cancel call counted it as canceled. */
  cancel(execution: Execution, afterCanceled: () => void): void {
    const session = this.job.session();
    const slot = execution.slot;
    if (!slot || !session || execution.state === 'CREATED' || execution.state === 'SCHEDULED') {
      this.job.graph.transition(execution, 'CANCELED');
      return;
    }
    this.job.graph.transition(execution, 'CANCELING');
    this.job.gateway.cancel(slot.rpcAddress, session, this.job.jobId, execution.attemptId).catch((err: unknown) => {
      this.job.log.warn({ err: errorMessage(err), task: execution.vertex.id }, 'cancel call failed; counting the task as canceled');
      if (this.job.graph.transition(execution, 'CANCELED')) afterCanceled();
    });
  }

  /** Cancels every live attempt of the job; `afterCanceled` runs as above and once the deadline counted the rest as canceled. */
  cancelAll(afterCanceled: () => void): void {
    for (const execution of this.job.graph.executions) {
      if (!isTerminalExecutionState(execution.state)) this.cancel(execution, afterCanceled);
    }
    this.deadline = setTimeout(() => {
      for (const execution of this.job.graph.executions) this.job.graph.transition(execution, 'CANCELED');
      afterCanceled();
    }, CANCEL_TIMEOUT_MS);
  }

  /** The job ended or is suspended: no deadline runs any more. */
  stop(): void {
    if (this.deadline) clearTimeout(this.deadline);
  }
}
