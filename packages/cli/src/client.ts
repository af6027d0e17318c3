import {
  BearerToken,
  CHANNEL_OPTIONS,
  UsageError,
  clientSecurity,
  grpcChannelCredentials,
  grpcChannelOptions,
  findLeader,
  callUnary,
  hostPort,
  rivuletProto,
  type ClientSecurity,
  type Configuration,
  type pb,
} from '@rivulet/common/client';

export interface ClientFlags {
  readonly jobmanager?: string;
  /** A file holding the client token (overrides security.auth.token / -file and RIVULET_SECURITY_AUTH_TOKEN). */
  readonly tokenFile?: string;
}

/** A connection from the CLI to the leading JobManager. */
/** How long the CLI waits for etcd to name a leader (a failover takes about the lease TTL). */
const LEADER_LOOKUP_TIMEOUT_MS = 10_000;

export class JobManagerClient {
  private readonly client: pb.JobManagerServiceClient;
  readonly target: string;

  /**
   * `security`: TLS towards the JobManager's gRPC port (internal TLS: the
   * CLI verifies the JobManager against the cluster CA) and the client token
   * sent with every call. Default: plaintext, no token.
   */
  constructor(readonly address: string, security: ClientSecurity = { tls: undefined, token: undefined }) {
    this.client = new (rivuletProto().JobManagerService)(
      address,
      grpcChannelCredentials(security.tls),
      grpcChannelOptions(CHANNEL_OPTIONS, security.tls, security.token),
    );
    this.target = `JobManager at ${address}`;
  }

  /**
   * Finds the JobManager: --jobmanager HOST:PORT; else, with
   * `high-availability.type: etcd`, the leader published in etcd (waiting up
   * to 10 s during a failover); else jobmanager.rpc.address/port.
   */
  static async fromFlags(flags: ClientFlags, config: Configuration): Promise<JobManagerClient> {
    const configured = clientSecurity(config);
    const security: ClientSecurity = flags.tokenFile === undefined
      ? configured
      : { ...configured, token: BearerToken.fromConfig({ 'security.auth.token': null, 'security.auth.token-file': flags.tokenFile }) };
    if (flags.jobmanager !== undefined) {
      if (!/^[^\s:]+:\d{1,5}$/.test(flags.jobmanager) && !/^\[[^\]]+\]:\d{1,5}$/.test(flags.jobmanager)) {
        throw new UsageError(`--jobmanager must be HOST:PORT, got "${flags.jobmanager}"`);
      }
      return new JobManagerClient(flags.jobmanager, security);
    }
    if (config['high-availability.type'] === 'etcd') {
      const leader = await findLeader(config, LEADER_LOOKUP_TIMEOUT_MS);
      return new JobManagerClient(leader.rpcAddress, security);
    }
    return new JobManagerClient(hostPort(config['jobmanager.rpc.address'], config['jobmanager.rpc.port']), security);
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
