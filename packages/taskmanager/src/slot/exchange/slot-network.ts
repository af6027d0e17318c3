import type { InputChannelDescriptor, InputGate, ResultPartitionWriter } from '../../network/network-api.js';
import type { FromSlot, SlotNetworkSettings, ToSlot } from '../../protocol/slot-messages.js';
import { InThreadChannels } from './in-thread-channels.js';
import { ThreadInputGate } from './thread-input-gate.js';
import { ThreadResultPartition } from './thread-result-partition.js';

/** What tasks in a slot use of the network: result partitions to write, input gates to read. */
export interface TaskNetwork {
  /** `sameSlot`: subpartitions whose consumer runs in this slot (their records stay in its thread). */
  createResultPartition(id: string, numberOfSubpartitions: number, options: { readonly owner: string; readonly sameSlot?: readonly number[] }): ResultPartitionWriter;
  createInputGate(channels: readonly InputChannelDescriptor[], options: { readonly owner: string }): InputGate;
}

type NetworkMessage = Extract<ToSlot, { kind: `partition-${string}` | `gate-${string}` }>;

/**
 * The network as the tasks of one slot see it: partitions and gates whose
 * other side is the control thread's network stack. Routes the control
 * thread's data messages to them.
 */
export class SlotNetwork implements TaskNetwork {
  private readonly partitions = new Map<string, ThreadResultPartition>();
  private readonly gates = new Map<number, ThreadInputGate>();
  private nextGateId = 1;
  private readonly inThread = new InThreadChannels();

  constructor(
    private readonly settings: SlotNetworkSettings,
    private readonly post: (message: FromSlot, transfer?: ArrayBuffer[]) => void,
  ) {}

  createResultPartition(id: string, numberOfSubpartitions: number, options: { readonly owner: string; readonly sameSlot?: readonly number[] }): ResultPartitionWriter {
    const sameSlot = new Map((options.sameSlot ?? []).map((s) => [s, this.inThread.channel(id, s)] as const));
    const partition = new ThreadResultPartition(id, numberOfSubpartitions, options.owner, this.settings, this.post, sameSlot);
    this.partitions.set(id, partition);
    const forget = (): void => {
      this.partitions.delete(id);
      for (const s of sameSlot.keys()) this.inThread.forget(id, s);
    };
    void partition.whenFullyConsumed().then(forget, forget);
    return partition;
  }

  createInputGate(channels: readonly InputChannelDescriptor[], options: { readonly owner: string }): InputGate {
    const gateId = this.nextGateId++;
    const inThread = channels.map((c) => (c.sameSlot === true ? this.inThread.channel(c.partitionId, c.subpartitionIndex) : undefined));
    const gate = new ThreadInputGate(gateId, inThread, options.owner, (message) => {
      if (message.kind === 'gate-close') this.gates.delete(gateId);
      this.post(message);
    });
    const viaControl = channels.filter((c) => c.sameSlot !== true);
    if (viaControl.length > 0) {
      this.post({ kind: 'gate-create', gateId, channels: viaControl, owner: options.owner });
      this.gates.set(gateId, gate);
    }
    return gate;
  }

  /** Returns false when `message` is not a network message. */
  handle(message: ToSlot): boolean {
    if (!isNetworkMessage(message)) return false;
    switch (message.kind) {
      case 'partition-taken':
        this.partitions.get(message.partitionId)?.onTaken(message.subpartition);
        break;
      case 'partition-failed':
        this.partitions.get(message.partitionId)?.fail(new Error(message.message));
        break;
      case 'partition-consumed':
        this.partitions.get(message.partitionId)?.onConsumed(message.error);
        break;
      case 'gate-buffer':
        this.gates.get(message.gateId)?.onBuffer(message.channel, message.payload);
        break;
      case 'gate-event':
        this.gates.get(message.gateId)?.onEvent(message.channel, message.event);
        break;
      case 'gate-failed':
        this.gates.get(message.gateId)?.fail(message.message);
        break;
    }
    return true;
  }
}

function isNetworkMessage(message: ToSlot): message is NetworkMessage {
  return message.kind.startsWith('partition-') || message.kind.startsWith('gate-');
}
