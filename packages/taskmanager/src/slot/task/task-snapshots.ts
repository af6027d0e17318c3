import type { SnapshotLocation, SubtaskCheckpointMetrics, TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import type { ResultPartitionWriter } from '../../network/network-api.js';
import type { BarrierInfo } from '../checkpointing/barrier-aligner.js';
import type { InputChannelStateRecording } from '../checkpointing/channel-state-recording.js';
import type { OperatorSnapshotParts, TaskCheckpointing } from '../checkpointing/task-checkpointing.js';
import { UnalignedChannelState } from '../checkpointing/unaligned-channel-state.js';
import type { OperatorChain } from './operator-chain.js';
import { describeFailure } from './task-report.js';

/**
 * A task's checkpoints from the barrier on: the synchronous snapshot of the
 * chain, the barrier sent downstream (ahead of queued batches when
 * unaligned, whose overtaken data goes with the snapshot), and the
 * asynchronous persisting it hands to TaskCheckpointing — with where a
 * savepoint writes (announced before its barrier) and the uploads still
 * running (the task reports FINISHED only after they settle).
 */
export class TaskSnapshots {
  /** Where checkpoints other than the default write (savepoints), announced before their barrier. */
  private readonly locations = new Map<number, SnapshotLocation>();
  private readonly persisting = new Set<Promise<void>>();

  constructor(
    private readonly descriptor: TaskDeploymentDescriptor,
    private readonly checkpointing: TaskCheckpointing,
  ) {}

  announceLocation(checkpointId: number, location: SnapshotLocation): void {
    this.locations.set(checkpointId, location);
  }

  /** Every upload started so far has settled (succeeded or failed). */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.persisting]);
  }

  /**
   * The synchronous half of a checkpoint, between two records: snapshot
   * every stateful operator of the chain (point-in-time views: keyed state is
   * held copy-on-write), then forward the barrier downstream. Serializing,
   * uploading and acknowledging continue asynchronously while the task
   * processes on. A snapshot that fails declines the checkpoint and still
   * forwards the barrier.
   */
  async take(
    chain: OperatorChain,
    writers: readonly ResultPartitionWriter[],
    barrier: BarrierInfo,
    metrics: SubtaskCheckpointMetrics,
    context: { readonly dataEnded: boolean; readonly inputChannels: number; readonly input?: InputChannelStateRecording | undefined },
  ): Promise<void> {
    const parts: OperatorSnapshotParts[] = [];
    try {
      if (chain.source && chain.sourceOperatorId) {
        parts.push({ operatorId: chain.sourceOperatorId, operatorState: await chain.source.snapshotSplits(barrier.checkpointId) });
      }
      if (chain.keyed && chain.keyedOperatorId) {
        parts.push({ operatorId: chain.keyedOperatorId, ...chain.keyed.snapshot() });
      }
      for (const member of chain.members) {
        if (!member.snapshotState) continue;
        const operatorId = chain.memberOperatorIds.get(member);
        if (operatorId) parts.push({ operatorId, operatorState: await member.snapshotState(barrier.checkpointId, barrier.timestamp) });
      }
    } catch (err) {
      for (const part of parts) {
        part.keyedState?.release();
        part.timers?.release();
      }
      void this.checkpointing.decline(this.descriptor, barrier.checkpointId, `snapshot failed: ${describeFailure(err)}`);
      context.input?.abort('the snapshot failed');
      forwardBarrier(writers, barrier);
      return;
    }
    const overtaken = forwardBarrier(writers, barrier);
    if (overtaken !== undefined) this.attachChannelState(parts, new UnalignedChannelState(context.inputChannels, overtaken, context.input).encoded());
    const location = this.locations.get(barrier.checkpointId);
    this.locations.delete(barrier.checkpointId);
    const persisting = this.checkpointing.persist(this.descriptor, barrier, parts, location, context.dataEnded, metrics);
    this.persisting.add(persisting);
    void persisting.finally(() => this.persisting.delete(persisting));
  }

  /** The in-flight records go with the head operator's state (its part, or one of their own). */
  private attachChannelState(parts: OperatorSnapshotParts[], channelState: NonNullable<OperatorSnapshotParts['channelState']>): void {
    const headId = this.descriptor.operators[0]?.id;
    if (headId === undefined) return;
    const index = parts.findIndex((part) => part.operatorId === headId);
    if (index >= 0) parts[index] = { ...parts[index]!, channelState };
    else parts.push({ operatorId: headId, channelState });
  }
}

/** Sends the barrier downstream; an unaligned one overtakes the queued batches and returns them per writer and subpartition. */
function forwardBarrier(writers: readonly ResultPartitionWriter[], barrier: BarrierInfo): Buffer[][][] | undefined {
  const event = { kind: 'barrier', checkpointId: barrier.checkpointId, timestamp: barrier.timestamp, savepoint: barrier.savepoint } as const;
  if (barrier.unaligned !== true) {
    for (const writer of writers) writer.broadcastEvent(barrier.terminate === true ? { ...event, terminate: true } : event);
    return undefined;
  }
  return writers.map((writer) => {
    if (writer.broadcastPriorityEvent === undefined) throw new Error(`partition ${writer.id} cannot send an unaligned checkpoint's barrier`);
    return writer.broadcastPriorityEvent({ ...event, unaligned: true });
  });
}
