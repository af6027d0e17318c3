import { callUnary, errorMessage, sleep, type Logger, type TaskDeploymentDescriptor } from '@rivulet/common';
import type { JobManagerConnection } from '../registration/jobmanager-connection.js';
import type { TaskReport } from '../../slot/task/task-report.js';

/** Reports task state changes to the leading JobManager, retried while it is briefly away. */
export class TaskStateReporter {
  constructor(
    private readonly connection: JobManagerConnection,
    private readonly log: Logger,
  ) {}

  async send(descriptor: TaskDeploymentDescriptor, report: TaskReport): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const registration = this.connection.registration;
      if (registration) {
        try {
          await callUnary(registration.client, 'UpdateTaskExecutionState', {
            registrationId: registration.registrationId,
            jobId: descriptor.jobId,
            executionAttemptId: descriptor.executionAttemptId,
            state: report.state,
            failure: report.failure ?? '',
            resultJson: report.result ? JSON.stringify(report.result) : '',
            endOfData: report.endOfData === true,
          }, { timeoutMs: 10_000, target: registration.target });
          return;
        } catch (err) {
          this.log.warn({ err: errorMessage(err), state: report.state }, 'could not report task state; retrying');
        }
      }
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
    this.log.error({ jobId: descriptor.jobId, state: report.state }, 'gave up reporting a task state');
  }
}
