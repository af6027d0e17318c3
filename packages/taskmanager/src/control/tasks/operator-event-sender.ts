import { callUnaryWithRetry, errorMessage, type Logger, type TaskDeploymentDescriptor } from '@rivulet/common';
import type { JobManagerConnection } from '../registration/jobmanager-connection.js';

/**
 * Sends source readers' operator events to the leading JobManager (from the
 * control thread), one at a time per execution attempt, so the enumerator
 * gets them in the order the reader sent them. A send retried only while
 * the JobManager is unreachable (never on a timeout: the event may have
 * arrived); an event that cannot be delivered fails its task through
 * `onUndeliverable` — its subtask restarts and registers again.
 */
export class OperatorEventSender {
  /** Per attempt, the send in flight (the next one waits for it). */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly connection: JobManagerConnection,
    private readonly onUndeliverable: (attemptId: string, reason: string) => void,
    private readonly log: Logger,
  ) {}

  send(descriptor: TaskDeploymentDescriptor, operatorId: string, event: Uint8Array): void {
    const attemptId = descriptor.executionAttemptId;
    const previous = this.queues.get(attemptId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(descriptor, operatorId, event));
    this.queues.set(attemptId, next);
    void next.finally(() => {
      if (this.queues.get(attemptId) === next) this.queues.delete(attemptId);
    });
  }

  private async deliver(descriptor: TaskDeploymentDescriptor, operatorId: string, event: Uint8Array): Promise<void> {
    const attemptId = descriptor.executionAttemptId;
    try {
      const registration = await this.connection.whenRegistered(AbortSignal.timeout(20_000));
      await callUnaryWithRetry(registration.client, 'SendOperatorEvent', {
        registrationId: registration.registrationId,
        jobId: descriptor.jobId,
        executionAttemptId: attemptId,
        operatorId,
        event: Buffer.from(event.buffer, event.byteOffset, event.byteLength),
      }, { timeoutMs: 10_000, deadlineMs: 20_000, target: registration.target });
    } catch (err) {
      const reason = `the event of source operator ${operatorId} could not be sent to the JobManager: ${errorMessage(err)}`;
      this.log.warn({ jobId: descriptor.jobId, attemptId, operatorId, err: errorMessage(err) }, 'operator event undeliverable: the task fails');
      this.onUndeliverable(attemptId, reason);
    }
  }
}
