import { errorMessage } from '@rivulet/common';
import { allocateSlots } from '../scheduler/slot-allocator.js';
import type { JobRestore } from './failover-restore.js';
import type { JobContext } from './job-context.js';
import { SlotWait } from './slot-wait.js';
import type { TaskDeployment } from './task-deployment.js';

export interface InitialSchedulingOptions {
  readonly deployment: TaskDeployment;
  /** The snapshot the job starts from (rivulet run --from-savepoint). */
  readonly restore: JobRestore | undefined;
  /** cluster.evenly-spread-out-slots */
  readonly spreadSlots: boolean;
  readonly slotRequestTimeoutMs: number;
}

/**
 * A submitted job's first deployment: allocates every slot it needs at once
 * (all or nothing) as soon as enough are free, and deploys every subtask —
 * restored from the savepoint the job started from, if any. When the slots
 * are not there within slot.request.timeout, the job fails.
 */
export class InitialScheduling {
  private slotWait: SlotWait | undefined;

  constructor(
    private readonly job: JobContext,
    private readonly options: InitialSchedulingOptions,
  ) {}

  start(): void {
    if (this.trySchedule()) return;
    const registry = this.job.registry;
    const needed = this.job.graph.requiredSlots;
    const timeoutMs = this.options.slotRequestTimeoutMs;
    this.job.log.info({ needed, available: registry.slotsAvailable() }, 'waiting for slots');
    this.slotWait = new SlotWait(
      registry,
      timeoutMs,
      () => {
        if (this.job.status() === 'CREATED' && this.trySchedule()) this.stop();
      },
      () => {
        this.stop();
        this.job.fail(
          `not enough slots: the job needs ${needed} slot${needed === 1 ? '' : 's'} (its highest parallelism), ` +
            `the cluster has ${registry.slotsAvailable()} free of ${registry.slotsTotal()} on ${registry.all().length} TaskManager(s); ` +
            `waited ${timeoutMs} ms (slot.request.timeout)`,
          undefined,
        );
      },
    );
  }

  /** No longer waits for slots (the job was scheduled, fails, is cancelled or suspended). */
  stop(): void {
    if (!this.slotWait) return;
    this.slotWait.stop();
    this.slotWait = undefined;
  }

  /** Allocates and deploys when enough slots are free; false when not. */
  private trySchedule(): boolean {
    const { graph, checkpointing, log } = this.job;
    const deployment = this.options.deployment;
    const session = this.job.session();
    if (!session) return false;
    const slots = allocateSlots(this.job.registry, this.job.jobId, graph.requiredSlots, this.options.spreadSlots);
    if (!slots) return false;
    slots.forEach((slot, index) => this.job.slots.assign(index, slot));
    deployment.schedule(graph.executions);
    this.job.setStatus('RUNNING');
    const restore = this.options.restore;
    deployment.assignKeyGroups(restore);
    deployment.deploy(graph.executions, restore);
    log.info({ subtasks: graph.executions.length, slots: slots.length, restoredFrom: restore?.uri }, 'job deployed');
    if (restore) {
      checkpointing.coordinator
        .restoreFromSnapshot(restore.metadata, restore.location)
        .then((checkpoint) => checkpointing.coordinator.reportRestored(checkpoint))
        .catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'could not register the restored snapshot'));
    }
    return true;
  }
}
