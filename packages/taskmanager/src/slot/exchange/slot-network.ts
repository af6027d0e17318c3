import type { InputChannelStateRecording } from '../checkpointing/channel-state-recording.js';
import type { Logger } from '@rivulet/common/task-runtime';
import type { InputChannelDescriptor, InputGate, ResultPartitionWriter } from '../../network/network-api.js';
import type { NetworkStats } from '../../network/stats.js';
import { TcpNetworkEnvironment } from '../../network/tcp-network-environment.js';
import type { FromSlot, SlotNetworkSettings } from '../../protocol/slot-messages.js';
import type { ToSocket, ToTasks } from './exchange-messages.js';
import { InThreadChannels } from './in-thread-channels.js';
import { SocketExchange } from './socket-exchange.js';
import { ThreadInputGate } from './thread-input-gate.js';
import { ThreadResultPartition } from './thread-result-partition.js';

/**
 * Bytes of the batches a partition serialized and a gate received (Flink's
 * numBytesOut / numBytesIn). Only batches that leave or reach the slot's
 * thread are serialized: records passed to a task of the same slot count none.
 */
export interface SentBytes {
  readonly bytesOut: number;
}
export interface ReceivedBytes {
  readonly bytesIn: number;
}

/** Unaligned checkpoints at a task's gate (thread-input-gate.ts). */
export interface PriorityBarriers {
  /** An unaligned checkpoint's barrier waits: `poll()` returns it before any batch. */
  readonly hasPriorityEvent: boolean;
  /** Resolves once an unaligned checkpoint's barrier waits (or the gate failed or closed). */
  whenPriorityEvent(): Promise<void>;
  /** The in-flight input being recorded for `checkpointId`, once `poll()` returned its first barrier. */
  recordingOf(checkpointId: number): InputChannelStateRecording | undefined;
}

/** What tasks in a slot use of the network: result partitions to write, input gates to read. */
export interface TaskNetwork {
  /** `sameSlot`: subpartitions whose consumer runs in this slot (their records stay in its thread). */
  createResultPartition(id: string, numberOfSubpartitions: number, options: { readonly owner: string; readonly sameSlot?: readonly number[] }): ResultPartitionWriter & SentBytes;
  createInputGate(channels: readonly InputChannelDescriptor[], options: { readonly owner: string }): InputGate & ReceivedBytes & PriorityBarriers;
}

/**
 * The network as the tasks of one slot see it, all in the slot's thread.
 * Channels between two tasks of the slot stay arrays (InThreadChannels);
 * everything else goes through the slot's own network stack: its data
 * server, on an ephemeral port of the TaskManager's bind host, serves the
 * slot's partitions, and its connections read partitions of other slots and
 * TaskManagers. The control thread only learns which partitions the slot
 * serves (`partition-served`), so the TaskManager's data port can redirect
 * their consumers here; no batch ever passes through it.
 *
 * Invariant: `partition-served` leaves only once the data server listens,
 * and `partition-unserved` after the `partition-served` of the same
 * partition.
 */
export class SlotNetwork implements TaskNetwork {
  private readonly partitions = new Map<string, ThreadResultPartition>();
  private readonly gates = new Map<number, ThreadInputGate>();
  private nextGateId = 1;
  private readonly inThread = new InThreadChannels();
  private readonly environment: TcpNetworkEnvironment;
  private readonly exchange: SocketExchange;
  private readonly listening: Promise<number | undefined>;
  private readonly toSocket = (message: ToSocket): void => this.exchange.handle(message);

  constructor(
    private readonly settings: SlotNetworkSettings,
    private readonly post: (message: FromSlot) => void,
    resourceId: string,
    private readonly log: Logger,
  ) {
    this.environment = new TcpNetworkEnvironment({
      log,
      resourceId,
      bufferSizeBytes: settings.bufferSizeBytes,
      bufferTimeoutMs: settings.bufferTimeoutMs,
      maxRecordsPerBuffer: settings.maxRecordsPerBuffer,
      initialCredit: settings.initialCredit,
      maxQueuedBuffersPerSubpartition: settings.maxQueuedBuffers,
      partitionRequestTimeoutMs: settings.partitionRequestTimeoutMs,
      maxFrameBytes: settings.maxFrameBytes,
      connectTimeoutMs: settings.connectTimeoutMs,
      ...(settings.frameTimeoutMs === undefined ? {} : { frameTimeoutMs: settings.frameTimeoutMs }),
      localPeer: settings.taskManagerData,
      tls: settings.tls,
    });
    this.exchange = new SocketExchange(this.environment, settings.gateCredit, (message) => this.handle(message), {
      served: (partitionId) => void this.listening.then((port) => {
        if (port !== undefined) this.post({ kind: 'partition-served', partitionId, port });
      }),
      unserved: (partitionId, why) => void this.listening.then((port) => {
        if (port !== undefined) this.post({ kind: 'partition-unserved', partitionId, why });
      }),
    }, log);
    this.listening = this.environment.start(settings.bindHost, 0).catch((error: unknown) => {
      // Without a data server no consumer outside this thread can read the slot's partitions: they fail on request timeout.
      this.log.error({ err: (error as Error).message, bindHost: settings.bindHost }, 'the slot\'s data server cannot listen');
      return undefined;
    });
  }

  /** The port of the slot's data server, once it listens (undefined: it could not). */
  whenListening(): Promise<number | undefined> {
    return this.listening;
  }

  stats(): NetworkStats {
    return this.environment.stats();
  }

  /** Closes the data server and every connection (the thread ends anyway; tests call it). */
  async stop(): Promise<void> {
    await this.listening;
    await this.environment.stop();
  }

  createResultPartition(id: string, numberOfSubpartitions: number, options: { readonly owner: string; readonly sameSlot?: readonly number[] }): ResultPartitionWriter & SentBytes {
    const sameSlot = new Map((options.sameSlot ?? []).map((s) => [s, this.inThread.channel(id, s)] as const));
    const partition = new ThreadResultPartition(id, numberOfSubpartitions, options.owner, this.settings, this.toSocket, sameSlot);
    this.partitions.set(id, partition);
    const forget = (): void => {
      this.partitions.delete(id);
      for (const s of sameSlot.keys()) this.inThread.forget(id, s);
    };
    void partition.whenFullyConsumed().then(forget, forget);
    return partition;
  }

  createInputGate(channels: readonly InputChannelDescriptor[], options: { readonly owner: string }): InputGate & ReceivedBytes & PriorityBarriers {
    const gateId = this.nextGateId++;
    const inThread = channels.map((c) => (c.sameSlot === true ? this.inThread.channel(c.partitionId, c.subpartitionIndex) : undefined));
    const gate = new ThreadInputGate(gateId, inThread, options.owner, (message) => {
      if (message.kind === 'gate-close') this.gates.delete(gateId);
      this.exchange.handle(message);
    });
    const viaSockets = channels.filter((c) => c.sameSlot !== true);
    if (viaSockets.length > 0) {
      this.gates.set(gateId, gate);
      this.exchange.handle({ kind: 'gate-create', gateId, channels: viaSockets, owner: options.owner });
    }
    return gate;
  }

  /** What the socket side tells the tasks' side. */
  private handle(message: ToTasks): void {
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
  }
}
