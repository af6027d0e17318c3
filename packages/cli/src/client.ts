import * as grpc from '@grpc/grpc-js';
import {
  CHANNEL_OPTIONS,
  UsageError,
  findLeader,
  callUnary,
  hostPort,
  rivuletProto,
  type Configuration,
  type pb,
} from '@rivulet/common';

export interface ClientFlags {
  readonly jobmanager?: string;
}

/** A connection from the CLI to the leading JobManager. */
/** How long the CLI waits for etcd to name a leader (a failover takes about the lease TTL). */
const LEADER_LOOKUP_TIMEOUT_MS = 10_000;

export class JobManagerClient {
  private readonly client: pb.JobManagerServiceClient;
  readonly target: string;

  constructor(readonly address: string) {
    this.client = new (rivuletProto().JobManagerService)(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    this.target = `JobManager at ${address}`;
  }

  /**
   * Finds the JobManager: --jobmanager HOST:PORT; else, with
   * `high-availability.type: etcd`, the leader published in etcd (waiting up
   * to 10 s during a failover); else jobmanager.rpc.address/port.
   */
  static async fromFlags(flags: ClientFlags, config: Configuration): Promise<JobManagerClient> {
    if (flags.jobmanager !== undefined) {
      if (!/^[^\s:]+:\d{1,5}$/.test(flags.jobmanager) && !/^\[[^\]]+\]:\d{1,5}$/.test(flags.jobmanager)) {
        throw new UsageError(`--jobmanager must be HOST:PORT, got "${flags.jobmanager}"`);
      }
      return new JobManagerClient(flags.jobmanager);
    }
    if (config['high-availability.type'] === 'etcd') {
      const leader = await findLeader(config, LEADER_LOOKUP_TIMEOUT_MS);
      return new JobManagerClient(leader.rpcAddress);
    }
    return new JobManagerClient(hostPort(config['jobmanager.rpc.address'], config['jobmanager.rpc.port']));
  }

  call<K extends keyof pb.JobManagerServiceClient & string>(
    method: K,
    request: Parameters<typeof callUnary<pb.JobManagerServiceClient, K>>[2],
    timeoutMs = 10_000,
  ) {
    return callUnary(this.client, method, request, { timeoutMs, target: this.target });
  }

  close(): void {
    this.client.close();
  }
}
