import { errorMessage, isTerminalExecutionState } from '@rivulet/common';
import type { CompletedCheckpoint } from '../checkpoint/index.js';
import type { Execution } from '../executiongraph/execution-graph.js';
import type { RestartStrategy } from '../failover/restart-strategy.js';
import type { SubtaskRef } from '../failover/pipelined-regions.js';
import { allocateReplacementSlots } from '../scheduler/slot-allocator.js';
import { CANCEL_TIMEOUT_MS, type AttemptCancellation } from './attempt-cancellation.js';
import { failoverRestoreOf, type JobRestore } from './failover-restore.js';
import type { JobContext } from './job-context.js';
import { keyOf, refOf, type PendingRestart } from './pending-restart.js';
import { SlotWait } from './slot-wait.js';
import type { TaskDeployment } from './task-deployment.js';

export interface SubtaskRestartsOptions {
  /** For the logs: the restart strategy that allowed the restart. */
  readonly restartStrategy: RestartStrategy;
  readonly deployment: TaskDeployment;
  readonly cancellation: AttemptCancellation;
  /** The checkpoint storage root, where restored subtasks read the latest completed checkpoint. */
  readonly checkpointRoot: string;
  readonly slotRequestTimeoutMs: number;
  /** An old attempt counted as canceled after a failed cancel call: a waiting restart may go on, or the job may end. */
  readonly afterTerminal: () => void;
  /** Subtasks are about to be deployed again (`fresh`, restored from `checkpoint`); `everySubtask`: the whole job restarts. */
  readonly beforeRedeploy?: (fresh: readonly Execution[], checkpoint: CompletedCheckpoint | undefined, everySubtask: boolean) => void;
  /** Reactive mode: rescales instead of restarting when the slots allow another parallelism; true when it took the restart over. */
  readonly rescaleInstead: (pending: PendingRestart) => boolean;
}

/**
 * Carries out restarts of subtasks: cancels their old attempts (those that
 * do not confirm within CANCEL_TIMEOUT_MS count as canceled), waits for the
 * restart strategy's delay and for every old attempt to end, then deploys
 * new attempts — on their slots when those still exist, else on free slots
 * preferring the TaskManager they ran on, waiting for TaskManagers up to
 * slot.request.timeout — restored from the latest completed checkpoint. A
 * restart asked for while one waits joins it: the union of subtasks
 * restarts, after the newer delay.
 */
export class SubtaskRestarts {
  private pending: PendingRestart | undefined;
  /** Checkpoints stopping for the latest failover; a restart deploys once the latest completed checkpoint is final. */
  private suspending: Promise<void> = Promise.resolve();

  constructor(
    private readonly job: JobContext,
    private readonly options: SubtaskRestartsOptions,
  ) {}

  /** A restart waits (for its delay, old attempts or slots). */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  /** Whether the job is in a state to fail over: running or restarting, with this JobManager leading. */
  canFailOver(): boolean {
    const status = this.job.status();
    return (status === 'RUNNING' || status === 'RESTARTING') && this.job.session() !== undefined;
  }

  /** True when every one of `executions` is an old attempt the waiting restart replaces. */
  replaces(executions: readonly Execution[]): boolean {
    const pending = this.pending;
    return pending !== undefined && executions.every((e) => pending.subtasks.has(keyOf(refOf(e))));
  }

  /** Restarts `subtasks` (joining a restart already waiting) no earlier than `delayMs` from now. */
  begin(subtasks: readonly SubtaskRef[], delayMs: number, cause: string): void {
    const graph = this.job.graph;
    const pending = this.pending ?? {
      subtasks: new Map<string, SubtaskRef>(),
      oldAttempts: [],
      endedAttempts: 0,
      notBefore: 0,
      cause,
      timer: undefined,
      cancelDeadline: undefined,
      slotWait: undefined,
    };
    for (const ref of subtasks) {
      const key = keyOf(ref);
      if (pending.subtasks.has(key)) continue;
      pending.subtasks.set(key, ref);
      pending.oldAttempts.push(graph.executionOf(ref.vertexId, ref.subtaskIndex)!);
    }
    pending.notBefore = this.job.now() + delayMs;
    pending.cause = cause;
    this.pending = pending;
    if (pending.subtasks.size === graph.executions.length) this.job.setStatus('RESTARTING');
    this.job.log.warn({ cause: cause.split('\n')[0], restarting: pending.subtasks.size, of: graph.executions.length, delayMs, restartStrategy: this.options.restartStrategy.description }, 'failing over');
    this.suspending = this.job.checkpointing.suspend(`failover: ${cause.split('\n')[0]}`).catch((err: unknown) => {
      this.job.log.warn({ err: errorMessage(err) }, 'suspending checkpoints failed');
    });
    this.cancelAttempts(pending.oldAttempts);
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = setTimeout(() => this.tryRestart(), delayMs);
  }

  /** Widens `pending` to every subtask (a rescale restarts them all): the job is RESTARTING and every live attempt is cancelled. */
  widenToEverySubtask(pending: PendingRestart): void {
    for (const execution of this.job.graph.executions) {
      const key = keyOf(refOf(execution));
      if (pending.subtasks.has(key)) continue;
      pending.subtasks.set(key, refOf(execution));
      pending.oldAttempts.push(execution);
    }
    this.job.setStatus('RESTARTING');
    this.cancelAttempts(this.job.graph.executions);
  }

  /** `pending` is being carried out now: its timers stop, and a new failure begins a new restart. */
  complete(pending: PendingRestart): void {
    if (pending.timer) clearTimeout(pending.timer);
    if (pending.cancelDeadline) clearTimeout(pending.cancelDeadline);
    this.pending = undefined;
  }

  /** Drops the waiting restart, if any (the job fails, is cancelled, ends or is suspended). */
  clear(): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.timer) clearTimeout(pending.timer);
    if (pending.cancelDeadline) clearTimeout(pending.cancelDeadline);
    this.stopWaitingForSlots(pending);
    this.pending = undefined;
  }

  /** Deploys the waiting restart once its delay passed, its old attempts ended and slots are there. */
  tryRestart(): void {
    const pending = this.pending;
    if (!pending || pending.slotWait || !this.canFailOver()) return;
    if (this.job.now() < pending.notBefore) return; // its timer calls again
    const old = pending.oldAttempts;
    while (pending.endedAttempts < old.length && isTerminalExecutionState(old[pending.endedAttempts]!.state)) pending.endedAttempts += 1;
    if (pending.endedAttempts < old.length) return; // the last report calls again
    void this.suspending.then(() => {
      if (this.pending === pending && !pending.slotWait) this.restartNow(pending);
    });
  }

  /** Cancels the attempts still alive among `executions`; after CANCEL_TIMEOUT_MS they count as canceled. */
  private cancelAttempts(executions: readonly Execution[]): void {
    for (const execution of executions) {
      if (isTerminalExecutionState(execution.state) || execution.state === 'CANCELING') continue;
      this.options.cancellation.cancel(execution, () => this.options.afterTerminal());
    }
    const pending = this.pending;
    if (pending && !pending.cancelDeadline) {
      pending.cancelDeadline = setTimeout(() => {
        pending.cancelDeadline = undefined;
        for (const execution of pending.oldAttempts) {
          if (this.job.graph.transition(execution, 'CANCELED')) {
            this.job.log.warn({ task: `${execution.vertex.name} (${execution.subtaskIndex + 1})` }, 'no confirmation of the cancellation: counted as canceled');
          }
        }
        this.tryRestart();
      }, CANCEL_TIMEOUT_MS);
    }
  }

  private restartNow(pending: PendingRestart): void {
    if (this.options.rescaleInstead(pending)) return;
    const { graph, slots, registry } = this.job;
    const indices = [...new Set([...pending.subtasks.values()].map((ref) => ref.subtaskIndex))];
    const missing = slots.missing(indices, registry);
    if (missing.length > 0) {
      const replacements = allocateReplacementSlots(registry, this.job.jobId, missing.map((i) => slots.lastResourceOf(i)));
      if (!replacements) return this.waitForSlots(pending, missing.length);
      missing.forEach((index, k) => slots.assign(index, replacements[k]!));
    }
    this.complete(pending);
    let restore: JobRestore | undefined;
    const checkpoint = this.job.checkpointing.coordinator.latestCompletedCheckpoint();
    try {
      restore = failoverRestoreOf(checkpoint, this.job.jobGraph, this.options.checkpointRoot, (operatorId) =>
        graph.vertices.vertices.find((v) => v.operatorIds.includes(operatorId))?.parallelism ?? this.job.jobGraph.defaultParallelism);
    } catch (err) {
      return this.job.fail(`cannot restore from checkpoint ${checkpoint?.checkpointId}: ${errorMessage(err)}`, undefined);
    }
    const everySubtask = pending.subtasks.size === graph.executions.length;
    const fresh = graph.restart(pending.subtasks.values());
    this.options.beforeRedeploy?.(fresh, checkpoint, everySubtask);
    this.options.deployment.schedule(fresh);
    this.job.availability.restarted();
    this.job.setStatus('RUNNING');
    this.job.log.info({ subtasks: fresh.length, restoredFrom: checkpoint?.externalPath ?? null, checkpointId: checkpoint?.checkpointId ?? null }, 'restarting subtasks');
    this.options.deployment.deploy(fresh, restore);
    if (checkpoint) this.job.checkpointing.coordinator.reportRestored(checkpoint);
  }

  /** Not enough free slots for a restart: wait for TaskManagers up to slot.request.timeout, then fail. */
  private waitForSlots(pending: PendingRestart, needed: number): void {
    const registry = this.job.registry;
    pending.slotWait = new SlotWait(
      registry,
      this.options.slotRequestTimeoutMs,
      () => {
        if (this.pending !== pending) return;
        this.stopWaitingForSlots(pending);
        this.tryRestart();
      },
      () => {
        this.stopWaitingForSlots(pending);
        const failure = `not enough slots to restart: ${needed} more needed, the cluster has ${registry.slotsAvailable()} free of ` +
          `${registry.slotsTotal()} on ${registry.all().length} TaskManager(s); waited ${this.options.slotRequestTimeoutMs} ms (slot.request.timeout)`;
        this.job.recordFailure(failure, undefined, 'slots');
        this.job.fail(failure, undefined, false);
      },
    );
    this.job.log.warn({ needed, available: registry.slotsAvailable() }, 'waiting for slots to restart');
  }

  private stopWaitingForSlots(pending: PendingRestart): void {
    if (!pending.slotWait) return;
    pending.slotWait.stop();
    pending.slotWait = undefined;
  }
}
