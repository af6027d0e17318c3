import type { CheckpointStorage, PutOptions, StorageCallOptions, StoredObject } from '../checkpoint-storage.js';
import type { S3CheckpointStorageOptions } from './s3-checkpoint-storage.js';
import type { S3Settings } from './s3-settings.js';

/**
 * S3 checkpoint storage whose AWS SDK is loaded on its first call: a
 * process (or a slot's thread) that only names an s3:// location, or never
 * writes to it, does not pay for loading the SDK. Behaves exactly as
 * S3CheckpointStorage, which it creates then.
 */
export class LazyS3CheckpointStorage implements CheckpointStorage {
  readonly kind = 's3' as const;
  readonly rootUri: string;
  readonly entropyKey: string | null;
  private storage: Promise<CheckpointStorage> | undefined;

  constructor(
    private readonly settings: S3Settings,
    private readonly options: Omit<S3CheckpointStorageOptions, 'client'>,
  ) {
    this.rootUri = `s3://${options.bucket}${options.prefix === '' ? '' : `/${options.prefix}`}`;
    this.entropyKey = options.entropy?.key ?? null;
  }

  uri(path: string): string {
    return path === '' ? this.rootUri : `${this.rootUri}/${path}`;
  }

  async put(path: string, bytes: Uint8Array, options?: PutOptions): Promise<string> {
    return (await this.load()).put(path, bytes, options);
  }

  async get(path: string, options?: StorageCallOptions): Promise<Buffer> {
    return (await this.load()).get(path, options);
  }

  async getRange(path: string, offset: number, length: number, options?: StorageCallOptions): Promise<Buffer> {
    return (await this.load()).getRange(path, offset, length, options);
  }

  async exists(path: string, options?: StorageCallOptions): Promise<boolean> {
    return (await this.load()).exists(path, options);
  }

  async list(prefix: string, options?: StorageCallOptions): Promise<StoredObject[]> {
    return (await this.load()).list(prefix, options);
  }

  async delete(path: string, options?: StorageCallOptions): Promise<void> {
    return (await this.load()).delete(path, options);
  }

  async deleteRecursive(prefix: string, options?: StorageCallOptions): Promise<number> {
    return (await this.load()).deleteRecursive(prefix, options);
  }

  async close(): Promise<void> {
    if (this.storage) await (await this.storage).close();
  }

  private load(): Promise<CheckpointStorage> {
    this.storage ??= Promise.all([import('./s3-client.js'), import('./s3-checkpoint-storage.js')]).then(
      ([{ createS3Client }, { S3CheckpointStorage }]) => new S3CheckpointStorage({ ...this.options, client: createS3Client(this.settings) }),
    );
    return this.storage;
  }
}
