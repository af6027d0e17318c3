/**
 * Barrier handling of a task with input channels (Chandy–Lamport for
 * dataflows, as Flink's CheckpointBarrierHandler).
 *
 * EXACTLY_ONCE (aligned): a channel that delivered barrier n is blocked —
 * its later records wait in the network stack — until every channel has
 * delivered n; then the task snapshots (`onAligned`) and every channel is
 * unblocked. So no record after barrier n on any channel reaches the
 * snapshot of n.
 *
 * AT_LEAST_ONCE (unaligned counting): channels are never blocked; the
 * snapshot is taken once every channel delivered n. Records after the
 * barrier on fast channels may be in the snapshot and replayed after a
 * restore: at-least-once.
 *
 * A finished channel (end-of-partition) counts as having delivered every
 * later barrier. A barrier of a newer checkpoint while aligning an older one
 * aborts the older one (`onAborted`) and starts the newer.
 */
import type { SubtaskCheckpointMetrics } from '@rivulet/common/task-runtime';

export type CheckpointingMode = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';

export interface BarrierInfo {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly savepoint: boolean;
  /** The savepoint of a stop with savepoint: the task finishes once it completed, and resumes if it failed. */
  readonly terminate?: boolean;
  /** An unaligned checkpoint's barrier: it overtakes queued records, which are stored as channel state. */
  readonly unaligned?: boolean;
}

export interface ChannelBlocker {
  blockChannel(channel: number): void;
  unblockChannel(channel: number): void;
}

export interface BarrierAlignerCallbacks {
  /** Every channel delivered the barrier: snapshot now, then forward the barrier. `metrics`: the alignment as measured here. */
  onAligned(barrier: BarrierInfo, metrics: SubtaskCheckpointMetrics): void;
  /** The checkpoint was given up (a newer barrier overtook it). */
  onAborted(checkpointId: number, reason: string): void;
}

export class BarrierAligner {
  private current: BarrierInfo | undefined;
  private readonly arrived = new Set<number>();
  private readonly finished = new Set<number>();
  private readonly blocked = new Set<number>();
  /** Highest checkpoint id completed or aborted here: older barriers are stale. */
  private lastDone = -1;
  /** When the first barrier of the current checkpoint arrived (the clock's ms). */
  private firstBarrierAt = 0;

  constructor(
    private readonly numberOfChannels: number,
    private readonly mode: CheckpointingMode,
    private readonly gate: ChannelBlocker,
    private readonly callbacks: BarrierAlignerCallbacks,
    /** Wall-clock ms: barrier timestamps are the JobManager's wall clock. */
    private readonly now: () => number = Date.now,
  ) {}

  get aligningCheckpoint(): number | undefined {
    return this.current?.checkpointId;
  }

  onBarrier(channel: number, barrier: BarrierInfo): void {
    if (barrier.checkpointId <= this.lastDone) return;
    if (this.current && barrier.checkpointId > this.current.checkpointId) {
      this.abortCurrent(`checkpoint ${barrier.checkpointId} overtook it during alignment`);
    }
    if (!this.current) {
      this.current = barrier;
      this.firstBarrierAt = this.now();
    }
    if (barrier.checkpointId < this.current.checkpointId) return;
    this.arrived.add(channel);
    if (this.mode === 'EXACTLY_ONCE') {
      this.blocked.add(channel);
      this.gate.blockChannel(channel);
    }
    this.completeIfAligned();
  }

  onEndOfPartition(channel: number): void {
    this.finished.add(channel);
    if (this.blocked.delete(channel)) this.gate.unblockChannel(channel);
    this.completeIfAligned();
  }

  private completeIfAligned(): void {
    const barrier = this.current;
    if (!barrier) return;
    for (let channel = 0; channel < this.numberOfChannels; channel++) {
      if (!this.arrived.has(channel) && !this.finished.has(channel)) return;
    }
    const metrics: SubtaskCheckpointMetrics = {
      alignmentDurationMs: Math.max(0, this.now() - this.firstBarrierAt),
      startDelayMs: Math.max(0, this.firstBarrierAt - barrier.timestamp),
    };
    this.reset(barrier.checkpointId);
    this.callbacks.onAligned(barrier, metrics);
  }

  private abortCurrent(reason: string): void {
    const id = this.current?.checkpointId;
    if (id === undefined) return;
    this.reset(id);
    this.callbacks.onAborted(id, reason);
  }

  private reset(checkpointId: number): void {
    this.lastDone = Math.max(this.lastDone, checkpointId);
    this.current = undefined;
    this.arrived.clear();
    for (const channel of this.blocked) this.gate.unblockChannel(channel);
    this.blocked.clear();
  }
}
