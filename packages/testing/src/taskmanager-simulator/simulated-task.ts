import type { SimulatedTaskManager } from './simulated-taskmanager.js';

/** A task deployed to a simulated TaskManager: what the simulation needs of its descriptor, and its state. */
export interface SimulatedTask {
  readonly jobId: string;
  readonly attemptId: string;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly slotIndex: number;
  /** No inputs: the JobManager triggers its checkpoints. */
  readonly isSource: boolean;
  readonly keyGroups: readonly number[];
  readonly operatorIds: readonly string[];
  state: 'DEPLOYING' | 'INITIALIZING' | 'RUNNING' | 'CANCELED' | 'FINISHED';
  endOfData: boolean;
  readonly owner: SimulatedTaskManager;
}

/**
 * How simulated TaskManagers tell their host about their tasks: a source's
 * checkpoint trigger stands for a barrier that reaches every task of the job
 * at once (the host has every task of the job it hosts acknowledge, and tells
 * the other hosts).
 */
export interface TaskEvents {
  deployed(task: SimulatedTask): void;
  forget(task: SimulatedTask): void;
  checkpointTriggered(jobId: string, checkpointId: number): void;
}
