import { callUnaryWithRetry, errorMessage, type Logger, type SubtaskCheckpointMetrics, type TaskDeploymentDescriptor } from '@rivulet/common';
import type { JobManagerConnection } from '../registration/jobmanager-connection.js';
import type { CheckpointResponder } from '../../slot/checkpointing/task-checkpointing.js';

/** Sends a task's checkpoint outcome to the leading JobManager (from the control thread). Never rejects. */
export class GrpcCheckpointResponder implements CheckpointResponder {
  constructor(
    private readonly connection: JobManagerConnection,
    private readonly log: Logger,
  ) {}

  acknowledge(descriptor: TaskDeploymentDescriptor, checkpointId: number, stateHandles: Uint8Array, endOfData: boolean, metrics: SubtaskCheckpointMetrics): Promise<void> {
    return this.send(descriptor, 'AcknowledgeCheckpoint', checkpointId, {
      stateHandles: Buffer.from(stateHandles),
      endOfData,
      alignmentDurationMs: Math.round(metrics.alignmentDurationMs),
      startDelayMs: Math.round(metrics.startDelayMs),
      persistedDataBytes: Math.round(metrics.persistedDataBytes ?? 0),
    });
  }

  decline(descriptor: TaskDeploymentDescriptor, checkpointId: number, reason: string, taskClosing = false): Promise<void> {
    return this.send(descriptor, 'DeclineCheckpoint', checkpointId, { reason, taskClosing });
  }

  private async send(
    descriptor: TaskDeploymentDescriptor,
    method: 'AcknowledgeCheckpoint' | 'DeclineCheckpoint',
    checkpointId: number,
    extra: { stateHandles: Buffer; endOfData: boolean; alignmentDurationMs: number; startDelayMs: number; persistedDataBytes: number } | { reason: string; taskClosing: boolean },
  ): Promise<void> {
    const registration = this.connection.registration;
    if (!registration) {
      this.log.warn({ jobId: descriptor.jobId, checkpointId, method }, 'not registered: checkpoint message dropped (the checkpoint times out)');
      return;
    }
    try {
      // An acknowledgement may arrive twice (the coordinator ignores a repeat), so a timeout is retried too.
      await callUnaryWithRetry(registration.client, method, {
        registrationId: registration.registrationId,
        jobId: descriptor.jobId,
        executionAttemptId: descriptor.executionAttemptId,
        checkpointId,
        ...extra,
      } as never, { timeoutMs: 10_000, deadlineMs: 20_000, retryOnTimeout: true, target: registration.target });
    } catch (err) {
      this.log.warn({ jobId: descriptor.jobId, checkpointId, method, err: errorMessage(err) }, 'could not send checkpoint message');
    }
  }
}
