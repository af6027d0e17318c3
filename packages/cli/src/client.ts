import * as grpc from '@grpc/grpc-js';
import {
  CHANNEL_OPTIONS,
  UsageError,
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
export class JobManagerClient {
  private readonly client: pb.JobManagerServiceClient;
  readonly target: string;

  constructor(readonly address: string) {
    this.client = new (rivuletProto().JobManagerService)(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    this.target = `JobManager at ${address}`;
  }

  /** Finds the JobManager: --jobmanager HOST:PORT, else jobmanager.rpc.address/port. */
  static fromFlags(flags: ClientFlags, config: Configuration): JobManagerClient {
    if (flags.jobmanager !== undefined) {
      if (!/^[^\s:]+:\d{1,5}$/.test(flags.jobmanager) && !/^\[[^\]]+\]:\d{1,5}$/.test(flags.jobmanager)) {
        throw new UsageError(`--jobmanager must be HOST:PORT, got "${flags.jobmanager}"`);
      }
      return new JobManagerClient(flags.jobmanager);
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
