/**
 * `@rivulet/common/s3`: the S3 checkpoint storage and client for code that
 * uses S3 directly (tests, benchmarks). Not in the main entry: the AWS SDK
 * costs ~0.2 s of CPU to load, and every daemon would pay it at start even
 * with checkpoints in a folder. `createCheckpointStorage` loads it on the
 * first S3 call.
 */
export { S3CheckpointStorage, type S3CheckpointStorageOptions } from './storage/s3/s3-checkpoint-storage.js';
export { createS3Client } from './storage/s3/s3-client.js';
export type { S3Settings } from './storage/s3/s3-settings.js';
