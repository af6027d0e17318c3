import type { Logger } from '@rivulet/common/task-runtime';
import type { TcpNetworkEnvironment } from '../../network/tcp-network-environment.js';
import type { InputGate, RawInputGateEntry, ResultPartitionWriter } from '../../network/network-api.js';
import type { ToSocket, ToTasks } from './exchange-messages.js';

/** What the socket side tells the slot about the partitions its data server serves. */
export interface ServedPartitions {
  /** Consumers outside this thread may now request the partition. */
  served(partitionId: string): void;
  /** The partition is fully consumed or released. */
  unserved(partitionId: string, why: string): void;
}

/**
 * The socket side of one slot's data exchange, in the slot's thread: the
 * result partitions its tasks write to consumers outside the thread (batches
 * arrive serialized and are queued in the slot's own network stack, whose
 * data server sends them) and the input gates they read from producers
 * outside it (raw gates whose batches are handed to the tasks undecoded).
 *
 * Invariant: per input channel, at most `gateCredit` batches are handed to
 * the task and not yet taken; a channel without credit is blocked in the raw
 * gate, so its producer feels the backpressure through the network stack's
 * own credits and queue bounds.
 */
export class SocketExchange {
  private readonly partitions = new Map<string, ResultPartitionWriter>();
  private readonly gates = new Map<number, GateForwarder>();

  constructor(
    private readonly network: TcpNetworkEnvironment,
    private readonly gateCredit: number,
    private readonly send: (message: ToTasks) => void,
    private readonly servedPartitions: ServedPartitions,
    private readonly log: Logger,
  ) {}

  handle(message: ToSocket): void {
    switch (message.kind) {
      case 'partition-create':
        this.createPartition(message.partitionId, message.subpartitions, message.inThread, message.owner);
        break;
      case 'partition-buffer': {
        const { subpartition, bytes } = message;
        this.withPartition(message.partitionId, (p) => p.emitSerialized(subpartition, bytes));
        break;
      }
      case 'partition-event': {
        const { event } = message;
        this.withPartition(message.partitionId, (p) => p.broadcastEvent(event));
        break;
      }
      case 'partition-priority-event': {
        const { event, overtaken } = message;
        this.withPartition(message.partitionId, (p) => {
          if (p.broadcastPriorityEvent === undefined) throw new Error(`partition ${message.partitionId} cannot send priority events`);
          overtaken.push(...p.broadcastPriorityEvent(event));
        });
        break;
      }
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
  }

  private createPartition(partitionId: string, subpartitions: number, inThread: readonly number[], owner: string): void {
    const partition = this.network.createResultPartition(partitionId, subpartitions, {
      owner,
      bufferTaken: (subpartition) => this.send({ kind: 'partition-taken', partitionId, subpartition }),
      servedElsewhere: inThread,
    });
    this.partitions.set(partitionId, partition);
    this.servedPartitions.served(partitionId);
    partition.whenFullyConsumed().then(
      () => {
        this.servedPartitions.unserved(partitionId, `partition ${partitionId} was fully consumed`);
        this.send({ kind: 'partition-consumed', partitionId, error: undefined });
      },
      (error: unknown) => {
        this.servedPartitions.unserved(partitionId, (error as Error).message);
        this.send({ kind: 'partition-consumed', partitionId, error: (error as Error).message });
      },
    ).finally(() => this.partitions.delete(partitionId));
  }

  private withPartition(partitionId: string, action: (partition: ResultPartitionWriter) => void): void {
    const partition = this.partitions.get(partitionId);
    if (partition === undefined) return; // released: the task learns it from partition-consumed / partition-failed
    try {
      action(partition);
    } catch (error) {
      this.log.warn({ partitionId, err: (error as Error).message }, 'a task wrote to a partition that failed');
      this.send({ kind: 'partition-failed', partitionId, message: (error as Error).message });
      this.partitions.delete(partitionId);
    }
  }
}

/** Moves one raw gate's batches and events to the task's gate, within its credit per channel. */
class GateForwarder {
  private readonly credit: number[];
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly gateId: number,
    private readonly gate: InputGate<RawInputGateEntry>,
    credit: number,
    private readonly send: (message: ToTasks) => void,
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
      this.send({ kind: 'gate-buffer', gateId: this.gateId, channel: entry.channel, payload: entry.payload });
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
