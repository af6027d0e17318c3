import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Logger } from '../../logging/logger.js';
import { CallBudget } from '../call-budget.js';
import type { CheckpointStorage, PutOptions, StorageCallOptions, StoredObject } from '../checkpoint-storage.js';
import type { EntropyInjector } from '../entropy.js';
import { CheckpointStorageError, type StorageOperation } from '../errors.js';
import { checkRange, rangeError } from '../range.js';
import { withRetries } from '../retry.js';
import { checkObjectPath, checkPrefix, isUnderPrefix } from '../storage-path.js';
import { classifyS3Error } from './s3-errors.js';
import { SdkRequestLog } from './sdk-request-log.js';

/**
 * Checkpoint storage in an S3 bucket under a key prefix
 * (`s3://bucket/prefix`): key = `<prefix>/<path>`.
 *
 * - `put` is one PutObject (atomic in S3); bodies are sent as plain bytes.
 * - `list` pages through ListObjectsV2 by full prefix, never with a Delimiter.
 * - Every request runs under `withRetries`: transient failures are retried
 *   (by the SDK, then by `withRetries`) until the call's deadline
 *   (`s3.retry.deadline`), others fail at once.
 * - With an EntropyInjector, `put(…, { entropy: true })` replaces the marker;
 *   every other use of a path removes it (see entropy.ts).
 */
export interface S3CheckpointStorageOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix without leading or trailing `/`; `''` for the bucket root. */
  readonly prefix: string;
  /** For messages: `S3 endpoint http://minio:9000`. */
  readonly target: string;
  /** Default bound on every call (ms), `s3.retry.deadline`. */
  readonly deadlineMs: number;
  readonly entropy: EntropyInjector | null;
  readonly logger?: Logger;
  /** Whether `close()` destroys the client (default true). */
  readonly ownsClient?: boolean;
}

const DELETE_BATCH = 1000;

export class S3CheckpointStorage implements CheckpointStorage {
  readonly kind = 's3' as const;
  readonly rootUri: string;
  readonly entropyKey: string | null;
  private bucketChecked = false;

  constructor(private readonly options: S3CheckpointStorageOptions) {
    this.rootUri = `s3://${options.bucket}${options.prefix === '' ? '' : `/${options.prefix}`}`;
    this.entropyKey = options.entropy?.key ?? null;
  }

  uri(path: string): string {
    return path === '' ? this.rootUri : `${this.rootUri}/${path}`;
  }

  async put(path: string, bytes: Uint8Array, options: PutOptions = {}): Promise<string> {
    const entropy = this.options.entropy;
    const resolved = entropy === null ? path : options.entropy === true ? entropy.inject(path) : entropy.remove(path);
    checkObjectPath(resolved, 'put', this.uri(path));
    await this.call('put', resolved, options, async (signal) => {
      const command = new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(resolved), Body: bytes, ContentLength: bytes.byteLength });
      await this.options.client.send(command, { abortSignal: signal });
    });
    return resolved;
  }

  async get(path: string, options?: StorageCallOptions): Promise<Buffer> {
    const resolved = this.objectPath(path, 'get');
    return this.call('get', resolved, options, async (signal) => {
      const out = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(resolved) }), {
        abortSignal: signal,
      });
      return readBody(out.Body, out.ContentLength, signal);
    });
  }

  async getRange(path: string, offset: number, length: number, options?: StorageCallOptions): Promise<Buffer> {
    const resolved = this.objectPath(path, 'getRange');
    const uri = this.uri(resolved);
    checkRange(offset, length, uri);
    if (length === 0) {
      // S3 has no empty range: ask for the size instead.
      const size = await this.size(resolved, 'getRange', options);
      if (offset > size) throw rangeError(uri, offset, length, size);
      return Buffer.alloc(0);
    }
    return this.call('getRange', resolved, options, async (signal) => {
      const range = `bytes=${offset}-${offset + length - 1}`;
      const out = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(resolved), Range: range }),
        { abortSignal: signal },
      );
      const bytes = await readBody(out.Body, out.ContentLength, signal);
      if (bytes.length !== length) {
        const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
        throw rangeError(uri, offset, length, total !== undefined ? Number(total) : offset + bytes.length);
      }
      return bytes;
    });
  }

  async exists(path: string, options?: StorageCallOptions): Promise<boolean> {
    const resolved = this.objectPath(path, 'exists');
    try {
      await this.size(resolved, 'exists', options);
      return true;
    } catch (err) {
      if (!(err instanceof CheckpointStorageError) || err.code !== 'NOT_FOUND') throw err;
    }
    // HEAD answers a bare 404 for a missing bucket too: tell the two apart once.
    if (!this.bucketChecked) {
      await this.call('exists', resolved, options, (signal) =>
        this.options.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }), { abortSignal: signal }),
      ).catch((err: unknown) => {
        if (err instanceof CheckpointStorageError && err.code === 'NOT_FOUND') {
          throw new CheckpointStorageError('NO_SUCH_BUCKET', 'exists', this.uri(resolved), `bucket "${this.options.bucket}" does not exist`, {
            cause: err,
          });
        }
        throw err;
      });
      this.bucketChecked = true;
    }
    return false;
  }

  async list(prefix: string, options?: StorageCallOptions): Promise<StoredObject[]> {
    const budget = new CallBudget(options, this.options.deadlineMs);
    try {
      return await this.listUnder(prefix, 'list', budget);
    } finally {
      budget.dispose();
    }
  }

  async delete(path: string, options?: StorageCallOptions): Promise<void> {
    const resolved = this.objectPath(path, 'delete');
    await this.call('delete', resolved, options, (signal) =>
      this.options.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(resolved) }), { abortSignal: signal }),
    );
  }

  async deleteRecursive(prefix: string, options?: StorageCallOptions): Promise<number> {
    const budget = new CallBudget(options, this.options.deadlineMs);
    try {
      const objects = await this.listUnder(prefix, 'deleteRecursive', budget);
      for (let i = 0; i < objects.length; i += DELETE_BATCH) {
        const batch = objects.slice(i, i + DELETE_BATCH);
        const out = await this.retried('deleteRecursive', this.uri(prefix), budget, (signal) =>
          this.options.client.send(
            new DeleteObjectsCommand({
              Bucket: this.options.bucket,
              Delete: { Objects: batch.map((o) => ({ Key: this.key(o.path) })), Quiet: true },
            }),
            { abortSignal: signal },
          ),
        );
        const failed = out.Errors?.[0];
        if (failed !== undefined) {
          throw new CheckpointStorageError(
            'IO_ERROR',
            'deleteRecursive',
            this.uri(prefix),
            `${out.Errors?.length} object(s) not deleted, first s3://${this.options.bucket}/${failed.Key}: ${failed.Code} ${failed.Message}`,
          );
        }
      }
      return objects.length;
    } finally {
      budget.dispose();
    }
  }

  async close(): Promise<void> {
    if (this.options.ownsClient !== false) this.options.client.destroy();
  }

  /** Paged, delimiter-free listing of everything the (entropy-aware) prefix covers. */
  private async listUnder(prefix: string, operation: StorageOperation, budget: CallBudget): Promise<StoredObject[]> {
    const checked = checkPrefix(prefix, operation, this.uri(prefix));
    const matcher = this.options.entropy?.prefixMatcher(checked) ?? { listPrefix: checked, matches: (p: string) => isUnderPrefix(p, checked) };
    const keyPrefix = this.key(matcher.listPrefix);
    const root = this.options.prefix === '' ? '' : `${this.options.prefix}/`;
    const found: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.retried(operation, this.uri(prefix), budget, (signal) =>
        this.options.client.send(
          new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: keyPrefix, ...(token ? { ContinuationToken: token } : {}) }),
          { abortSignal: signal },
        ),
      );
      for (const entry of page.Contents ?? []) {
        const key = entry.Key ?? '';
        if (!key.startsWith(root) || key.endsWith('/')) continue; // folder placeholders are not objects
        const path = key.slice(root.length);
        if (matcher.matches(path)) found.push({ path, size: entry.Size ?? 0 });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  private async size(resolved: string, operation: StorageOperation, options?: StorageCallOptions): Promise<number> {
    return this.call(operation, resolved, options, async (signal) => {
      const out = await this.options.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(resolved) }), {
        abortSignal: signal,
      });
      return out.ContentLength ?? 0;
    });
  }

  /** A path used to read or delete: the entropy marker, if any, removed. */
  private objectPath(path: string, operation: StorageOperation): string {
    const resolved = this.options.entropy?.remove(path) ?? path;
    return checkObjectPath(resolved, operation, this.uri(path));
  }

  private key(path: string): string {
    if (this.options.prefix === '') return path;
    return path === '' ? `${this.options.prefix}/` : `${this.options.prefix}/${path}`;
  }

  private async call<T>(operation: StorageOperation, path: string, options: StorageCallOptions | undefined, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const budget = new CallBudget(options, this.options.deadlineMs);
    try {
      return await this.retried(operation, this.uri(path), budget, attempt);
    } finally {
      budget.dispose();
    }
  }

  private retried<T>(operation: StorageOperation, uri: string, budget: CallBudget, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // The requests of the latest attempt, as the SDK made them (its client logs them: createS3Client).
    let log = new SdkRequestLog();
    return withRetries(
      {
        operation,
        uri,
        budget,
        target: this.options.target,
        deadlineSetting: 's3.retry.deadline',
        classify: classifyS3Error,
        insideAttempt: () => log,
        onRetry: ({ attempt: n, delayMs, failure }) =>
          this.options.logger?.warn({ operation, uri, attempt: n, delayMs, error: failure.detail }, 'S3 request failed transiently, retrying'),
      },
      (signal) => {
        log = new SdkRequestLog();
        return log.run(() => attempt(signal));
      },
    );
  }
}

/**
 * Reads a response body completely under `signal` (the body stream is
 * destroyed when it fires). A body shorter than Content-Length is a transient
 * failure (`ERR_TRUNCATED_BODY`): the connection broke mid-transfer.
 */
async function readBody(body: unknown, contentLength: number | undefined, signal: AbortSignal): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  const stream = body as Readable;
  const onAbort = (): void => {
    stream.destroy(signal.reason as Error);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (contentLength !== undefined && bytes.length !== contentLength) {
      throw Object.assign(new Error(`response body ended after ${bytes.length} of ${contentLength} bytes`), { code: 'ERR_TRUNCATED_BODY' });
    }
    return bytes;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
