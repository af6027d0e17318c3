import type { InputChannelDescriptor } from './network-api.js';
import { PartitionReleasedError } from './errors.js';
import { HEADER_BYTES } from './frames.js';
import type { ChannelEntry, GateCallbacks, InputChannel } from './input-channel.js';
import { batchEntry, decodeBatch, serializeBatch } from './record-serializer.js';
import type { PartitionManager, PendingRequest } from './partition-manager.js';
import type { Subpartition, SubpartitionReader } from './subpartition.js';

/**
 * A channel whose producer runs in this TaskManager: reads the producer's
 * subpartition queue directly. Batches of records pass as the producer's
 * arrays; batches a slot's thread serialized pass as bytes (decoded here, or
 * handed on as they are by a raw channel); backpressure is the
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
    /** Hand batches on serialized (a raw gate). */
    private readonly raw = false,
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

  take(): ChannelEntry | undefined {
    if (this.state !== 'open') return undefined;
    const subpartition = this.subpartition!;
    const entry = subpartition.take();
    if (entry === undefined) return undefined;
    if (entry.kind === 'records') {
      if (!this.raw) return { channel: this.index, records: entry.records };
      return { channel: this.index, payload: serializeBatch(entry.records, { partitionId: this.descriptor.partitionId, owner: 'local channel' }).subarray(HEADER_BYTES) };
    }
    if (entry.kind === 'bytes') {
      const payload = entry.bytes.subarray(HEADER_BYTES);
      return this.raw ? { channel: this.index, payload } : batchEntry(this.index, decodeBatch(payload));
    }
    if (entry.kind === 'event') {
      if (entry.event.kind === 'end-of-partition') {
        this.state = 'ended';
        this.subpartition = undefined;
        subpartition.markConsumed();
      }
      return { channel: this.index, event: entry.event };
    }
    return undefined;
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
