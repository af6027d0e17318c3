import type { InputChannelDescriptor, InputGateEntry } from './network-api.js';
import { PartitionReleasedError } from './errors.js';
import type { GateCallbacks, InputChannel } from './input-channel.js';
import type { PartitionManager, PendingRequest } from './partition-manager.js';
import type { Subpartition, SubpartitionReader } from './subpartition.js';

/**
 * A channel whose producer runs in this TaskManager: reads the producer's
 * subpartition queue directly. Records pass as the same object references
 * (batches are the producer's arrays), never serialized; backpressure is the
 * producer's bounded queue, which shrinks only as this channel takes batches.
 * Taking end-of-partition marks the subpartition fully consumed.
 */
export class LocalInputChannel implements InputChannel, SubpartitionReader {
  readonly serializes = false;
  inRing = false;
  private subpartition: Subpartition | undefined;
  private pending: PendingRequest | undefined;
  private state: 'idle' | 'requesting' | 'open' | 'ended' | 'failed' | 'closed' = 'idle';

  constructor(
    readonly index: number,
    private readonly descriptor: InputChannelDescriptor,
    private readonly gate: GateCallbacks,
    private readonly partitions: PartitionManager,
  ) {}

  get hasData(): boolean {
    return this.state === 'open' && this.subpartition!.hasData;
  }

  get queuedBuffers(): number {
    return 0; // the batches stay in the producer's queue and count there
  }

  get queuedBytes(): number {
    return 0;
  }

  start(): void {
    this.state = 'requesting';
    this.pending = this.partitions.request({
      partitionId: this.descriptor.partitionId,
      subpartitionIndex: this.descriptor.subpartitionIndex,
      reader: this,
      onAttached: (subpartition) => {
        this.pending = undefined;
        if (this.state !== 'requesting') return subpartition.releaseByConsumer(new Error('the local consumer closed before the partition was created'));
        this.subpartition = subpartition;
        this.state = 'open';
        if (subpartition.hasData) this.gate.channelHasData(this);
      },
      onFailed: (error) => {
        this.pending = undefined;
        this.fail(error);
      },
    });
  }

  notifyDataAvailable(): void {
    this.gate.channelHasData(this);
  }

  notifyReleased(error: Error): void {
    this.subpartition = undefined;
    const { partitionId, subpartitionIndex } = this.descriptor;
    this.fail(new PartitionReleasedError(partitionId, `local input channel ${this.index} (partition ${partitionId} subpartition ${subpartitionIndex}): ${error.message}`, { cause: error }));
  }

  take(): InputGateEntry | undefined {
    if (this.state !== 'open') return undefined;
    const subpartition = this.subpartition!;
    const entry = subpartition.take();
    if (entry === undefined) return undefined;
    if (entry.kind === 'records') return { channel: this.index, records: entry.records };
    if (entry.kind === 'event') {
      if (entry.event.kind === 'end-of-partition') {
        this.state = 'ended';
        this.subpartition = undefined;
        subpartition.markConsumed();
      }
      return { channel: this.index, event: entry.event };
    }
    throw new Error(`local channel ${this.index} found a serialized batch in ${this.descriptor.partitionId}`);
  }

  close(): void {
    const { state } = this;
    this.state = 'closed';
    if (state === 'requesting') this.pending?.cancel();
    if (state === 'open') this.subpartition?.releaseByConsumer(new Error(`the local consumer of channel ${this.index} closed its input gate`));
    this.subpartition = undefined;
  }

  private fail(error: Error): void {
    if (this.state === 'failed' || this.state === 'closed' || this.state === 'ended') return;
    this.state = 'failed';
    this.gate.channelFailed(this, error);
  }
}
