/** Job states, Flink's names (REST `state`, `rivulet list`, `rivulet status`). */
export type JobStatus =
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'RESTARTING'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'FAILED'
  /** This JobManager stopped leading the job (leadership lost); the job is not over: a new leader takes it on. */
  | 'SUSPENDED';

/** States after which this JobManager does nothing more for the job (SUSPENDED: locally, as in Flink). */
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['CANCELED', 'FINISHED', 'FAILED', 'SUSPENDED'];

export function isTerminalJobStatus(status: string): boolean {
  return (TERMINAL_JOB_STATUSES as readonly string[]).includes(status);
}

/** States of one execution attempt of a subtask, Flink's names. */
export type ExecutionState =
  | 'CREATED'
  | 'SCHEDULED'
  | 'DEPLOYING'
  | 'INITIALIZING'
  | 'RUNNING'
  | 'FINISHED'
  | 'CANCELING'
  | 'CANCELED'
  | 'FAILED';

export const EXECUTION_STATES: readonly ExecutionState[] = [
  'CREATED', 'SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED',
];

export function isExecutionState(value: string): value is ExecutionState {
  return (EXECUTION_STATES as readonly string[]).includes(value);
}

export function isTerminalExecutionState(state: ExecutionState): boolean {
  return state === 'FINISHED' || state === 'CANCELED' || state === 'FAILED';
}
