import { IllegalStateError, type Logger } from '@rivulet/common/task-runtime';
import { ConnectionManager } from './connection-manager.js';
import { DataServer } from './data-server.js';
import { LocalInputChannel } from './local-input-channel.js';
import type {
  InputChannelDescriptor, InputGate, NetworkEnvironment, RawInputGateEntry, ResultPartitionId, ResultPartitionWriter,
} from './network-api.js';
import type { ChannelEntry } from './input-channel.js';
import { type NetworkEnvironmentOptions, type ResolvedNetworkOptions, resolveNetworkOptions } from './options.js';
import { PartitionManager } from './partition-manager.js';
import { RemoteInputChannel } from './remote-input-channel.js';
import { ResultPartition } from './result-partition.js';
import { SingleInputGate } from './single-input-gate.js';
import { type NetworkCounters, type NetworkStats, newCounters } from './stats.js';

type State = 'created' | 'running' | 'stopped';

/**
 * A TaskManager's network stack over TCP: the data server for its result
 * partitions, one outgoing connection per producer TaskManager, and local
 * channels for producers in this TaskManager.
 */
export class TcpNetworkEnvironment implements NetworkEnvironment {
  readonly options: ResolvedNetworkOptions;
  private readonly log: Logger;
  private readonly counters: NetworkCounters = newCounters();
  private readonly partitions: PartitionManager;
  private readonly connections: ConnectionManager;
  private readonly server: DataServer;
  /** Open gates, with the job attempts (`jobId/attempt/`) of the partitions they read. */
  private readonly gates = new Map<SingleInputGate<ChannelEntry>, ReadonlySet<string>>();
  private state: State = 'created';
  private boundPort: number | undefined;

  constructor(options: NetworkEnvironmentOptions) {
    this.options = resolveNetworkOptions({ ...options, log: options.log.child({ component: 'network', resourceId: options.resourceId }) });
    this.log = this.options.log;
    this.partitions = new PartitionManager(this.options.partitionRequestTimeoutMs, this.log);
    this.connections = new ConnectionManager(this.options, this.counters);
    this.server = new DataServer({ partitions: this.partitions, options: this.options, counters: this.counters });
  }

  /** The bound data port, once started. */
  get port(): number | undefined {
    return this.boundPort;
  }

  async start(host: string, port: number): Promise<number> {
    if (this.state !== 'created') throw new IllegalStateError(`network environment cannot start when ${this.state}`);
    this.state = 'running';
    this.boundPort = await this.server.listen(host, port);
    this.log.info({ host, port: this.boundPort }, 'Data server listening');
    return this.boundPort;
  }

  createResultPartition(
    id: ResultPartitionId,
    numberOfSubpartitions: number,
    options: {
      readonly owner: string;
      readonly bufferTaken?: (subpartition: number) => void;
      /** Subpartitions whose consumer reads them elsewhere (in a slot's thread): consumed from the start, never queued. */
      readonly servedElsewhere?: readonly number[];
    },
  ): ResultPartitionWriter {
    this.checkNotStopped();
    const partition = new ResultPartition(id, numberOfSubpartitions, options.owner, this.options, {
      retired: (p, why) => this.partitions.retire(p, why),
      ...(options.bufferTaken ? { bufferTaken: options.bufferTaken } : {}),
    });
    this.partitions.register(partition);
    for (const index of options.servedElsewhere ?? []) partition.subpartitions[index]?.markConsumed();
    return partition;
  }

  createInputGate(channels: readonly InputChannelDescriptor[], options: { readonly owner: string }): InputGate {
    return this.openGate(channels, options.owner, false) as unknown as InputGate;
  }

  createRawInputGate(channels: readonly InputChannelDescriptor[], options: { readonly owner: string }): InputGate<RawInputGateEntry> {
    return this.openGate(channels, options.owner, true) as unknown as InputGate<RawInputGateEntry>;
  }

  private openGate(channels: readonly InputChannelDescriptor[], owner: string, raw: boolean): SingleInputGate<ChannelEntry> {
    this.checkNotStopped();
    const gate = new SingleInputGate<ChannelEntry>(
      owner,
      channels.length,
      (index, callbacks) => {
        const descriptor = channels[index]!;
        const location = descriptor.location === 'local' ? this.options.localPeer ?? 'local' : descriptor.location;
        if (location === 'local') return new LocalInputChannel(index, descriptor, callbacks, this.partitions, raw);
        return new RemoteInputChannel(index, { ...descriptor, location }, callbacks, this.connections, this.options.initialCredit, raw);
      },
      this.log,
      (g) => this.gates.delete(g),
    );
    this.gates.set(gate, new Set(channels.map((c) => attemptKeyOf(c.partitionId))));
    return gate;
  }

  /**
   * The partition is written and served by another data server of this host
   * (a slot thread's, listening on `port`): requests for it that reach this
   * environment's server are redirected there.
   */
  serveElsewhere(partitionId: ResultPartitionId, port: number): void {
    this.checkNotStopped();
    this.partitions.registerElsewhere(partitionId, port);
  }

  /** A partition served elsewhere is gone; later requests fail at once with `why`. */
  retireElsewhere(partitionId: ResultPartitionId, why: string): void {
    this.partitions.retireElsewhere(partitionId, why);
  }

  releaseJob(jobId: string, attempt: number): void {
    const key = `${jobId}/${attempt}/`;
    this.log.info({ jobId, attempt }, 'Releasing network resources of a job attempt');
    this.partitions.releaseJob(jobId, attempt);
    const reason = new Error(`job ${jobId} attempt ${attempt} was released`);
    for (const [gate, attempts] of [...this.gates]) if (attempts.has(key)) gate.release(reason);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    const reason = new Error(`the network environment of ${this.options.resourceId} stopped`);
    for (const gate of [...this.gates.keys()]) gate.release(reason);
    for (const partition of [...this.partitions.all()]) partition.release(reason);
    this.partitions.failAllWaiting(reason.message);
    this.connections.closeAll();
    await this.server.close();
    this.log.info('Network environment stopped');
  }

  stats(): NetworkStats {
    let queuedBuffers = 0;
    let queuedBytes = 0;
    for (const partition of this.partitions.all()) {
      for (const subpartition of partition.subpartitions) {
        queuedBuffers += subpartition.queuedBuffers;
        queuedBytes += subpartition.queuedBytes;
      }
    }
    let gateBuffers = 0;
    let gateBytes = 0;
    for (const gate of this.gates.keys()) {
      gateBuffers += gate.queuedBuffers;
      gateBytes += gate.queuedBytes;
    }
    const c = this.counters;
    return {
      connections: {
        outgoing: this.connections.size,
        incoming: this.server.openConnections,
        acceptedTotal: this.server.acceptedTotal,
        refused: { tls: this.counters.refusedTls, protocol: this.counters.refusedProtocol, timeout: this.counters.refusedTimeout },
      },
      producer: {
        partitions: this.partitions.size,
        queuedBuffers,
        queuedBytes,
        socketBufferedBytes: this.server.socketBufferedBytes,
        buffersSent: c.buffersSent,
        bytesSent: c.bytesSent,
      },
      consumer: { gates: this.gates.size, queuedBuffers: gateBuffers, queuedBytes: gateBytes, buffersReceived: c.buffersReceived, bytesReceived: c.bytesReceived },
    };
  }

  private checkNotStopped(): void {
    if (this.state === 'stopped') throw new IllegalStateError('network environment is stopped');
  }
}

function attemptKeyOf(partitionId: string): string {
  return partitionId.split('/', 2).join('/') + '/';
}

/** Creates a TaskManager's network stack; call `start(host, port)` to serve its partitions. */
export function createNetworkEnvironment(options: NetworkEnvironmentOptions): TcpNetworkEnvironment {
  return new TcpNetworkEnvironment(options);
}
