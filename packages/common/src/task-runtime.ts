/**
 * `@rivulet/common/task-runtime`: what code running inside a TaskManager's
 * slot threads needs, without what only daemons need (gRPC, etcd, HTTP,
 * metrics, YAML configuration files). A slot's thread starts for every job
 * that gets the slot, so what it imports is paid per job: this entry keeps
 * that to the light modules (the whole `@rivulet/common` costs about 1 s of
 * CPU to load; docs/architecture.md, "Threads").
 */
export * from './errors.js';
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './logging/logger.js';
export type { Configuration } from './config/load-configuration.js';
export * from './deployment/task-deployment-descriptor.js';
export * from './jobs/job-status.js';
export * from './keygroups/index.js';
// Not checkpoint/index.js: its metadata and acknowledgement codecs validate with zod, which slot threads never need.
export * from './checkpoint/without-validation.js';
export {
  createCheckpointStorage,
  type CheckpointStorageSettings,
  type CreateCheckpointStorageOptions,
} from './storage/create-checkpoint-storage.js';
export type { CheckpointStorage, CheckpointStorageKind, PutOptions, StorageCallOptions, StoredObject } from './storage/checkpoint-storage.js';
export { CheckpointStorageError, isStorageNotFound } from './storage/errors.js';
export { subtaskStatePath, checkpointPath, metadataPath } from './storage/layout.js';
export * from './source/operator-events.js';
export * from './source/builtin/index.js';
export type { TlsMaterial } from './security/tls-material.js';
