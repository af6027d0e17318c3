import {
  CHANNEL_OPTIONS,
  callUnaryWithRetry,
  grpcChannelCredentials,
  grpcChannelOptions,
  rivuletProto,
  type LeaderSession,
  type TaskDeploymentDescriptor,
  type TlsMaterial,
  type pb,
} from '@rivulet/common';

/**
 * The JobManager's calls to TaskManagers. Every call carries the leader
 * session (fencing token). One client per TaskManager address, reused.
 * A TaskManager that is unreachable for a moment is called again with
 * backoff up to RETRY_DEADLINE_MS; calls that may run twice also retry a
 * timeout. A TaskManager that stays away is lost by heartbeat meanwhile.
 */
const RETRY_DEADLINE_MS = 10_000;
export class TaskManagerGateway {
  private readonly clients = new Map<string, pb.TaskManagerServiceClient>();

  /** `tls`: internal TLS material (the JobManager presents its certificate and verifies the TaskManager's); undefined: plaintext. */
  constructor(private readonly tls?: TlsMaterial) {}

  private client(address: string): pb.TaskManagerServiceClient {
    let client = this.clients.get(address);
    if (!client) {
      client = new (rivuletProto().TaskManagerService)(address, grpcChannelCredentials(this.tls), grpcChannelOptions(CHANNEL_OPTIONS, this.tls));
      this.clients.set(address, client);
    }
    return client;
  }

  async deploy(address: string, session: LeaderSession, descriptor: TaskDeploymentDescriptor, slotIndex: number, allocationId: string): Promise<void> {
    await callUnaryWithRetry(this.client(address), 'DeployTask', {
      leader: session,
      jobId: descriptor.jobId,
      executionAttemptId: descriptor.executionAttemptId,
      allocationId,
      slotIndex,
      descriptor: Buffer.from(JSON.stringify(descriptor)),
    }, { timeoutMs: 10_000, deadlineMs: RETRY_DEADLINE_MS, target: `TaskManager at ${address}` });
  }

  async cancel(address: string, session: LeaderSession, jobId: string, executionAttemptId: string): Promise<void> {
    await callUnaryWithRetry(this.client(address), 'CancelTask', { leader: session, jobId, executionAttemptId }, { timeoutMs: 5000, deadlineMs: RETRY_DEADLINE_MS, retryOnTimeout: true, target: `TaskManager at ${address}` });
  }

  async triggerCheckpoint(address: string, session: LeaderSession, request: Omit<pb.TriggerCheckpointRequest, 'leader'>): Promise<void> {
    await callUnaryWithRetry(this.client(address), 'TriggerCheckpoint', { ...request, leader: session }, { timeoutMs: 10_000, deadlineMs: RETRY_DEADLINE_MS, target: `TaskManager at ${address}` });
  }

  async notifyCheckpoint(
    address: string,
    session: LeaderSession,
    method: 'NotifyCheckpointComplete' | 'NotifyCheckpointAborted',
    jobId: string,
    checkpointId: number,
    executionAttemptIds: readonly string[] = [],
    final = false,
  ): Promise<void> {
    await callUnaryWithRetry(this.client(address), method, { leader: session, jobId, checkpointId, executionAttemptIds: [...executionAttemptIds], final }, { timeoutMs: 10_000, deadlineMs: RETRY_DEADLINE_MS, retryOnTimeout: true, target: `TaskManager at ${address}` });
  }

  /** A split enumerator's event for the source reader of `executionAttemptId` (never retried on a timeout: it may have arrived). */
  async sendOperatorEvent(address: string, session: LeaderSession, jobId: string, executionAttemptId: string, operatorId: string, event: Uint8Array): Promise<void> {
    await callUnaryWithRetry(this.client(address), 'SendOperatorEvent', {
      leader: session,
      jobId,
      executionAttemptId,
      operatorId,
      event: Buffer.from(event.buffer, event.byteOffset, event.byteLength),
    }, { timeoutMs: 10_000, deadlineMs: RETRY_DEADLINE_MS, target: `TaskManager at ${address}` });
  }

  /** Frees the job's slots on the TaskManager (only those of `allocationIds` when given), cancelling their tasks. */
  async releaseSlots(address: string, session: LeaderSession, jobId: string, allocationIds: readonly string[] = []): Promise<void> {
    await callUnaryWithRetry(this.client(address), 'ReleaseSlots', { leader: session, jobId, allocationIds: [...allocationIds] }, { timeoutMs: 5000, deadlineMs: RETRY_DEADLINE_MS, retryOnTimeout: true, target: `TaskManager at ${address}` });
  }

  /** Drops the client of a TaskManager that went away. */
  forget(address: string): void {
    this.clients.get(address)?.close();
    this.clients.delete(address);
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
