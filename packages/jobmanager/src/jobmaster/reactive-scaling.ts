import type { JobGraph } from '@rivulet/api';
import { errorMessage } from '@rivulet/common';
import { buildVertexGraph } from '../jobgraph/job-vertices.js';
import { allocateReplacementSlots } from '../scheduler/slot-allocator.js';
import { failoverRestoreOf, type JobRestore } from './failover-restore.js';
import type { JobContext } from './job-context.js';
import { refOf, type PendingRestart } from './pending-restart.js';
import type { SubtaskRestarts } from './subtask-restarts.js';
import type { TaskDeployment } from './task-deployment.js';

export interface ReactiveScalingOptions {
  readonly restarts: SubtaskRestarts;
  readonly deployment: TaskDeployment;
  /** The checkpoint storage root, where rescaled subtasks read the latest completed checkpoint. */
  readonly checkpointRoot: string;
  /** The graph's vertices changed (a rescale): what depends on them (pipelined regions) is computed again. */
  readonly onRescaled: () => void;
}

/**
 * scheduler-mode: reactive. The job runs at the parallelism its slots allow,
 * at most the configured one: a restart when more or fewer slots are there
 * becomes a rescale of every subtask, and a TaskManager joining while the
 * job runs below its configured parallelism restarts it at more.
 */
export class ReactiveScaling {
  /** The slots the job's configured parallelism needs (reactive mode scales back up to it). */
  private readonly configuredSlots: number;
  private readonly onTaskManagerRegistered = (): void => this.maybeScaleUp();

  constructor(
    private readonly job: JobContext,
    private readonly options: ReactiveScalingOptions,
  ) {
    this.configuredSlots = job.graph.requiredSlots;
    job.registry.on('registered', this.onTaskManagerRegistered);
  }

  /** The job ended or is suspended: TaskManagers joining no longer scale it up. */
  stop(): void {
    this.job.registry.off('registered', this.onTaskManagerRegistered);
  }

  /**
   * When the slots the job can hold differ from its current parallelism,
   * restarts every subtask at min(configured, available) — restored from
   * the latest checkpoint, the ring moving only the key groups of the
   * subtasks that come or go. True when it took over the restart.
   */
  rescale(pending: PendingRestart): boolean {
    const { graph, registry, slots } = this.job;
    const alive = slots.alive(registry);
    const target = Math.min(this.configuredSlots, alive.length + registry.slotsAvailable());
    if (target === graph.requiredSlots || target < 1) return false; // same parallelism: an ordinary restart (or wait for slots)
    if (pending.subtasks.size < graph.executions.length) {
      // A rescale restarts every subtask: cancel the rest first; the last of them calls tryRestart again.
      this.options.restarts.widenToEverySubtask(pending);
      return true;
    }
    const session = this.job.session();
    const keep = alive.slice(0, target);
    for (const slot of alive.slice(target)) {
      const registration = registry.get(slot.registrationId);
      if (registration?.allocations[slot.slotIndex]?.allocationId === slot.allocationId) registration.allocations[slot.slotIndex] = undefined;
      if (session) {
        this.job.gateway.releaseSlots(slot.rpcAddress, session, this.job.jobId, [slot.allocationId]).catch((err: unknown) => {
          this.job.log.warn({ err: errorMessage(err), taskManager: slot.resourceId }, 'could not release a slot after scaling down');
        });
      }
    }
    registry.allocationsChanged();
    const extra = target - keep.length;
    const added = extra > 0 ? allocateReplacementSlots(registry, this.job.jobId, Array.from({ length: extra }, () => undefined)) : [];
    if (!added) return false;
    this.options.restarts.complete(pending);
    slots.replaceAll([...keep, ...added]);
    const jobGraph = withParallelismAtMost(this.job.jobGraph, target);
    const checkpoint = this.job.checkpointing.coordinator.latestCompletedCheckpoint();
    let restore: JobRestore | undefined;
    try {
      restore = failoverRestoreOf(checkpoint, jobGraph, this.options.checkpointRoot, (operatorId) =>
        jobGraph.operators.find((op) => op.id === operatorId)?.parallelism ?? jobGraph.defaultParallelism);
    } catch (err) {
      this.job.fail(`cannot restore from checkpoint ${checkpoint?.checkpointId} at parallelism ${target}: ${errorMessage(err)}`, undefined);
      return true;
    }
    const from = graph.requiredSlots;
    const fresh = graph.rescale(buildVertexGraph(jobGraph));
    this.options.onRescaled();
    this.options.deployment.assignKeyGroups(restore);
    this.options.deployment.schedule(fresh);
    this.job.availability.restarted();
    this.job.setStatus('RUNNING');
    this.job.log.info({ from, to: target, configured: this.configuredSlots, movedKeyGroups: restore?.plan.movedKeyGroups ?? 0, checkpointId: checkpoint?.checkpointId ?? null }, 'rescaled (reactive mode)');
    this.options.deployment.deploy(fresh, restore);
    if (checkpoint) this.job.checkpointing.coordinator.reportRestored(checkpoint);
    return true;
  }

  /** A TaskManager joined while the job runs below its configured parallelism: restart at more. */
  private maybeScaleUp(): void {
    const { graph, registry } = this.job;
    if (this.job.status() !== 'RUNNING' || this.options.restarts.waiting || !this.job.session()) return;
    if (graph.requiredSlots >= this.configuredSlots || registry.slotsAvailable() === 0) return;
    const cause = `reactive mode: scaling up from parallelism ${graph.requiredSlots} (${registry.slotsAvailable()} slot(s) joined)`;
    this.job.log.info({ from: graph.requiredSlots, configured: this.configuredSlots }, 'scaling up');
    this.options.restarts.begin(graph.executions.map(refOf), 0, cause);
  }
}

/** `graph` with every operator's parallelism capped at `limit` (reactive mode). */
function withParallelismAtMost(graph: JobGraph, limit: number): JobGraph {
  return {
    ...graph,
    operators: graph.operators.map((op) => ({ ...op, parallelism: Math.min(op.parallelism ?? graph.defaultParallelism, limit) })),
  };
}
