import type { ExecutionState } from '@rivulet/common/task-runtime';

export interface TaskReport {
  readonly state: ExecutionState;
  readonly failure?: string;
  readonly result?: Record<string, unknown[]>;
  /** With RUNNING: the task's data ended; it waits for the job's final checkpoint. */
  readonly endOfData?: boolean;
}

export class TaskCancelledError extends Error {
  override readonly name = 'TaskCancelledError';
  constructor() {
    super('the task was cancelled');
  }
}

/** The failure text shown by `rivulet status`: the user's error name, message and stack. */
export function describeFailure(err: unknown): string {
  if (err instanceof Error) {
    const stack = err.stack ?? `${err.name}: ${err.message}`;
    const cause = err.cause instanceof Error ? `\nCaused by: ${err.cause.stack ?? err.cause.message}` : '';
    return `${stack}${cause}`;
  }
  return `thrown value: ${String(err)}`;
}
