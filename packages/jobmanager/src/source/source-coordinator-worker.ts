/**
 * Entry of a job's source coordinator thread (a worker thread, for a job
 * with a fromSource operator): the coordinator of source-coordinator-runtime.ts
 * over the worker's port.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CoordinatorThreadData } from './coordinator-messages.js';
import { runSourceCoordinator } from './source-coordinator-runtime.js';

runSourceCoordinator(workerData as CoordinatorThreadData, parentPort!);
