import { isTerminalJobStatus } from '@rivulet/common';
import type { Execution } from '../executiongraph/execution-graph.js';
import { PipelinedRegions, type SubtaskRef } from '../failover/pipelined-regions.js';
import type { RestartStrategy } from '../failover/restart-strategy.js';
import type { TaskManagerRegistration } from '../resourcemanager/task-manager-registration.js';
import type { FailureCause } from './job-availability.js';
import type { JobContext } from './job-context.js';
import { refOf } from './pending-restart.js';
import type { SubtaskRestarts } from './subtask-restarts.js';

export interface JobFailoverOptions {
  /** jobmanager.execution.failover-strategy */
  readonly strategy: 'full' | 'region';
  readonly restartStrategy: RestartStrategy;
  readonly restarts: SubtaskRestarts;
  /** An execution reached a terminal state: a waiting restart may go on, or the job may end. */
  readonly afterTerminal: () => void;
  /** The job may have ended (every execution terminal). */
  readonly checkCompletion: () => void;
}

/**
 * Decides what a failure does. A task's exception, a lost TaskManager, a
 * failed deployment or a job-wide failure (too many failed checkpoints) is
 * recorded and goes to the restart strategy; if it allows, the failover
 * strategy picks the subtasks to restart — every one, or the pipelined
 * regions of the failed ones — and SubtaskRestarts restarts them after the
 * strategy's delay; if not, the job fails.
 */
export class JobFailover {
  private regions: PipelinedRegions;

  constructor(
    private readonly job: JobContext,
    private readonly options: JobFailoverOptions,
  ) {
    this.regions = PipelinedRegions.of(job.graph.vertices);
  }

  /** The graph was rescaled: its pipelined regions are those of its new vertices. */
  graphRescaled(): void {
    this.regions = PipelinedRegions.of(this.job.graph.vertices);
  }

  onTaskManagerLost(registration: TaskManagerRegistration, reason: string, detail: string): void {
    const graph = this.job.graph;
    this.job.slots.forgetTaskManager(registration.registrationId);
    const failure = `TaskManager ${registration.resourceId} was lost (${reason}: ${detail})`;
    const failed = graph.executions.filter((e) =>
      e.slot?.registrationId === registration.registrationId && graph.transition(e, 'FAILED', failure));
    if (failed.length > 0) this.onFailure(failed, failure, 'taskmanager-lost');
    else this.options.afterTerminal();
  }

  onExecutionFailed(execution: Execution, failure: string, cause: FailureCause): void {
    if (!this.job.graph.transition(execution, 'FAILED', failure)) return;
    this.onFailure([execution], failure, cause);
  }

  /** A failure that concerns the whole job (e.g. too many failed checkpoints): every subtask restarts. */
  onGlobalFailure(failure: string, cause: FailureCause): void {
    this.job.recordFailure(failure, undefined, cause);
    if (!this.options.restarts.canFailOver()) return this.job.fail(failure, undefined);
    this.failOver(this.job.graph.executions.map(refOf), failure, 'full');
  }

  /** `failed` (now FAILED) failed with `failure`: restart per the strategies, or fail the job. */
  private onFailure(failed: readonly Execution[], failure: string, cause: FailureCause): void {
    const status = this.job.status();
    if (status === 'FAILING' || status === 'CANCELLING' || isTerminalJobStatus(status)) {
      // A task failing while the job is being torn down (e.g. its inputs broke as its peers were cancelled): not a new failure.
      this.options.checkCompletion();
      return;
    }
    if (this.options.restarts.replaces(failed)) {
      // An attempt already being replaced ended by failing (e.g. its inputs broke as its peers were cancelled).
      this.options.afterTerminal();
      return;
    }
    this.job.recordFailure(failure, failed[0], cause);
    if (!this.options.restarts.canFailOver()) return this.job.fail(failure, failed[0]);
    this.failOver(failed.map(refOf), failure, this.options.strategy);
  }

  /**
   * Asks the restart strategy; when it allows, restarts `failed`'s regions
   * (or every subtask) after its delay. A failure while a restart waits
   * joins it: the union of subtasks restarts, after the newer delay.
   */
  private failOver(failed: readonly SubtaskRef[], failure: string, strategy: 'full' | 'region'): void {
    const restart = this.options.restartStrategy;
    restart.notifyFailure(this.job.now());
    if (!restart.canRestart()) {
      this.job.log.warn({ failure, restartStrategy: restart.description, refusal: restart.refusal() }, 'not restarting: the restart strategy gives up');
      this.job.fail(failure, undefined, false);
      return;
    }
    const delayMs = restart.getBackoffTime();
    const subtasks = strategy === 'full' ? this.job.graph.executions.map(refOf) : this.regions.regionsToRestart(failed);
    this.options.restarts.begin(subtasks, delayMs, failure);
  }
}
