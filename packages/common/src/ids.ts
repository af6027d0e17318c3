import { randomUUID } from 'node:crypto';

/**
 * Branded ids: a `JobId` cannot be passed where a `TaskManagerId` is expected.
 * The leader session id is the fencing token of every JobManager -> TaskManager call.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type JobId = Brand<string, 'JobId'>;
export type TaskManagerId = Brand<string, 'TaskManagerId'>;
export type RegistrationId = Brand<string, 'RegistrationId'>;
export type LeaderSessionId = Brand<string, 'LeaderSessionId'>;
export type ExecutionAttemptId = Brand<string, 'ExecutionAttemptId'>;
export type AllocationId = Brand<string, 'AllocationId'>;

function hex32(): string {
  return randomUUID().replaceAll('-', '');
}

export const newJobId = (): JobId => hex32() as JobId;
export const newRegistrationId = (): RegistrationId => hex32() as RegistrationId;
export const newLeaderSessionId = (): LeaderSessionId => randomUUID() as LeaderSessionId;
export const newExecutionAttemptId = (): ExecutionAttemptId => hex32() as ExecutionAttemptId;
export const newAllocationId = (): AllocationId => hex32() as AllocationId;
export const newTaskManagerId = (host: string, port: number): TaskManagerId =>
  `${host}:${port}-${hex32().slice(0, 6)}` as TaskManagerId;

/** A leadership session: `epoch` orders sessions, newer is greater. */
export interface LeaderSession {
  readonly sessionId: LeaderSessionId;
  readonly epoch: number;
}
