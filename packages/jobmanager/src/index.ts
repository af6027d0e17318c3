export { JobManager, type JobManagerStarted } from './jobmanager.js';
export { TaskManagerRegistry } from './resourcemanager/task-manager-registry.js';
export { JobManagerMetrics } from './metrics.js';
export * from './checkpoint/index.js';
