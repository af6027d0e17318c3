import type { Configuration } from '../config/index.js';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import { EntropyInjector } from './entropy.js';
import { FileSystemCheckpointStorage } from './fs/filesystem-checkpoint-storage.js';
import { LazyS3CheckpointStorage } from './s3/lazy-s3-checkpoint-storage.js';
import { checkS3Settings, describeEndpoint, type S3Settings } from './s3/s3-settings.js';
import { parseStorageLocation } from './storage-location.js';

/** The configuration keys checkpoint storage reads. A full `Configuration` fits. */
export type CheckpointStorageSettings = S3Settings &
  Pick<Configuration, 's3.entropy.key' | 's3.entropy.length' | 's3.retry.deadline'>;

export interface CreateCheckpointStorageOptions {
  /** The key `dir` came from, named in errors; default `execution.checkpointing.dir`. */
  readonly key?: string;
  /** Base of relative paths; default `process.cwd()`. */
  readonly cwd?: string;
  /** Where S3 retries are logged (warn). */
  readonly logger?: Logger;
  /**
   * Inject entropy into data files (default true). Savepoints pass false: a
   * savepoint must be one self-contained folder.
   */
  readonly entropy?: boolean;
}

/**
 * Chooses the backend by the scheme of `dir` (see storage-location.ts):
 * `file://…` or a plain path → FileSystemCheckpointStorage; `s3://…` →
 * S3CheckpointStorage with the `s3.*` settings (its AWS SDK loaded on the
 * first call). Throws ConfigurationError
 * naming the key for an unknown scheme, a bad bucket, half-set credentials,
 * or an entropy marker written into `dir` itself (it belongs in
 * `s3.entropy.key`; the layout puts it in front of data files).
 */
export function createCheckpointStorage(
  dir: string,
  config: CheckpointStorageSettings,
  options: CreateCheckpointStorageOptions = {},
): CheckpointStorage {
  const key = options.key ?? 'execution.checkpointing.dir';
  const location = parseStorageLocation(dir, key, options.cwd);
  if (location.kind === 'filesystem') return new FileSystemCheckpointStorage(location.root);

  const entropyKey = config['s3.entropy.key'];
  if (entropyKey !== null && /[/\\]/.test(entropyKey)) {
    throw new ConfigurationError(`"s3.entropy.key": ${JSON.stringify(entropyKey)} must not contain "/" or "\\"`, { key: 's3.entropy.key' });
  }
  if (entropyKey !== null && location.prefix.includes(entropyKey)) {
    throw new ConfigurationError(
      `"${key}": ${JSON.stringify(dir)} contains the entropy marker "${entropyKey}" (s3.entropy.key); ` +
        'leave it out: Rivulet puts the marker in front of checkpoint data files itself',
      { key },
    );
  }
  const entropy = entropyKey !== null && options.entropy !== false ? new EntropyInjector(entropyKey, config['s3.entropy.length']) : null;
  checkS3Settings(config);
  return new LazyS3CheckpointStorage(config, {
    bucket: location.bucket,
    prefix: location.prefix,
    target: describeEndpoint(config),
    deadlineMs: config['s3.retry.deadline'],
    entropy,
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
