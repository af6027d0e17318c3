import type { Logger } from '@rivulet/common';
import type { TcpNetworkEnvironment } from '../../network/tcp-network-environment.js';
import type { InputGate, RawInputGateEntry, ResultPartitionWriter } from '../../network/network-api.js';
import { ownedBytes, type FromSlot, type ToSlot } from '../../protocol/slot-messages.js';

type DataMessage = Extract<FromSlot, { kind: `partition-${string}` | `gate-${string}` }>;

/**
 * The control thread's side of one slot's data: the result partitions its
 * tasks write (batches arrive serialized and are queued in the network
 * stack, for local and remote readers alike) and the input gates they read
 * (raw gates whose batches are handed to the slot undecoded).
 *
 * Invariant: per input channel, at most `gateCredit` batches are handed to
 * the slot and not yet taken there; a channel without credit is blocked in
 * the raw gate, so its producer feels the backpressure through the network
 * stack's own credits and queue bounds.
 */
export class SlotExchange {
  private readonly partitions = new Map<string, ResultPartitionWriter>();
  private readonly gates = new Map<number, GateForwarder>();

  constructor(
    private readonly network: TcpNetworkEnvironment,
    private readonly gateCredit: number,
    private readonly send: (message: ToSlot, transfer?: ArrayBuffer[]) => void,
    private readonly log: Logger,
  ) {}

  /** Returns false when `message` is not a data message. */
  handle(message: FromSlot): boolean {
    if (!isDataMessage(message)) return false;
    switch (message.kind) {
      case 'partition-create':
        this.createPartition(message.partitionId, message.subpartitions, message.inThread, message.owner);
        break;
      case 'partition-buffer': {
        const bytes = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
        this.withPartition(message.partitionId, (p) => p.emitSerialized(message.subpartition, bytes));
        break;
      }
      case 'partition-event':
        this.withPartition(message.partitionId, (p) => p.broadcastEvent(message.event));
        break;
      case 'partition-release':
        this.partitions.get(message.partitionId)?.release(new Error(message.message));
        this.partitions.delete(message.partitionId);
        break;
      case 'gate-create': {
        const gate = this.network.createRawInputGate(message.channels, { owner: message.owner });
        const forwarder = new GateForwarder(message.gateId, gate, this.gateCredit, this.send);
        this.gates.set(message.gateId, forwarder);
        void forwarder.run().finally(() => this.gates.delete(message.gateId));
        break;
      }
      case 'gate-credit':
        this.gates.get(message.gateId)?.addCredit(message.channel);
        break;
      case 'gate-close':
        this.gates.get(message.gateId)?.close();
        this.gates.delete(message.gateId);
        break;
    }
    return true;
  }

  /** The slot's thread is gone: its partitions fail their consumers, its gates close. */
  releaseAll(reason: Error): void {
    for (const partition of this.partitions.values()) partition.release(reason);
    this.partitions.clear();
    for (const gate of this.gates.values()) gate.close();
    this.gates.clear();
  }

  private createPartition(partitionId: string, subpartitions: number, inThread: readonly number[], owner: string): void {
    const partition = this.network.createResultPartition(partitionId, subpartitions, {
      owner,
      bufferTaken: (subpartition) => this.send({ kind: 'partition-taken', partitionId, subpartition }),
      servedElsewhere: inThread,
    });
    this.partitions.set(partitionId, partition);
    partition.whenFullyConsumed().then(
      () => this.send({ kind: 'partition-consumed', partitionId, error: undefined }),
      (error: unknown) => this.send({ kind: 'partition-consumed', partitionId, error: (error as Error).message }),
    ).finally(() => this.partitions.delete(partitionId));
  }

  private withPartition(partitionId: string, action: (partition: ResultPartitionWriter) => void): void {
    const partition = this.partitions.get(partitionId);
    if (partition === undefined) return; // released: the slot learns it from partition-consumed / partition-failed
    try {
      action(partition);
    } catch (error) {
      this.log.warn({ partitionId, err: (error as Error).message }, 'a slot wrote to a partition that failed');
      this.send({ kind: 'partition-failed', partitionId, message: (error as Error).message });
      this.partitions.delete(partitionId);
    }
  }
}

/** Moves one raw gate's batches and events to the slot, within the slot's credit per channel. */
class GateForwarder {
  private readonly credit: number[];
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly gateId: number,
    private readonly gate: InputGate<RawInputGateEntry>,
    credit: number,
    private readonly send: (message: ToSlot, transfer?: ArrayBuffer[]) => void,
  ) {
    this.credit = new Array<number>(gate.numberOfChannels).fill(credit);
  }

  async run(): Promise<void> {
    while (!this.closed) {
      const entry = this.gate.poll();
      if (entry === undefined) {
        if (this.gate.failure) {
          this.send({ kind: 'gate-failed', gateId: this.gateId, message: this.gate.failure.message });
          break;
        }
        if (this.gate.finished) break;
        await Promise.race([this.gate.whenAvailable(), new Promise<void>((resolve) => (this.wake = resolve))]);
        this.wake = undefined;
        continue;
      }
      if ('event' in entry) {
        this.send({ kind: 'gate-event', gateId: this.gateId, channel: entry.channel, event: entry.event });
        continue;
      }
      const payload = ownedBytes(entry.payload);
      this.send({ kind: 'gate-buffer', gateId: this.gateId, channel: entry.channel, payload }, [payload.buffer as ArrayBuffer]);
      const left = (this.credit[entry.channel] ?? 0) - 1;
      this.credit[entry.channel] = left;
      if (left === 0) this.gate.blockChannel(entry.channel);
    }
    if (this.closed) this.gate.close();
  }

  addCredit(channel: number): void {
    const before = this.credit[channel] ?? 0;
    this.credit[channel] = before + 1;
    if (before === 0 && !this.closed) this.gate.unblockChannel(channel);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.gate.close();
    this.wake?.();
  }
}

function isDataMessage(message: FromSlot): message is DataMessage {
  return message.kind.startsWith('partition-') || message.kind.startsWith('gate-');
}
