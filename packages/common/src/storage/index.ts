export type {
  CheckpointStorage,
  CheckpointStorageKind,
  PutOptions,
  StorageCallOptions,
  StoredObject,
} from './checkpoint-storage.js';
export {
  CheckpointStorageError,
  isStorageNotFound,
  type StorageErrorCode,
  type StorageOperation,
} from './errors.js';
export {
  createCheckpointStorage,
  type CheckpointStorageSettings,
  type CreateCheckpointStorageOptions,
} from './create-checkpoint-storage.js';
export { parseStorageLocation, type StorageLocation } from './storage-location.js';
export { storageIdentity, type StorageIdentity } from './storage-identity.js';
export { FileSystemCheckpointStorage } from './fs/filesystem-checkpoint-storage.js';
// S3CheckpointStorage and createS3Client: `@rivulet/common/s3` (the AWS SDK loads only where S3 is used).
export type { S3Settings } from './s3/s3-settings.js';
export { EntropyInjector, ENTROPY_ALPHABET } from './entropy.js';
export {
  METADATA_FILE,
  SAVEPOINT_METADATA_PATH,
  checkpointDiscardPrefix,
  checkpointPath,
  jobBundlePath,
  metadataPath,
  parseCheckpointFolder,
  savepointFilePath,
  subtaskStatePath,
} from './layout.js';
