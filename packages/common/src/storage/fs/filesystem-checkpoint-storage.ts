import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CallBudget } from '../call-budget.js';
import type { CheckpointStorage, PutOptions, StorageCallOptions, StoredObject } from '../checkpoint-storage.js';
import type { StorageOperation } from '../errors.js';
import { checkRange, rangeError } from '../range.js';
import { checkObjectPath, checkPrefix, joinPath } from '../storage-path.js';
import { fileSystemError } from './fs-errors.js';

/**
 * Checkpoint storage in a local (or mounted) folder.
 *
 * Atomicity: `put` writes `.<name>.inprogress-<random>` next to the target,
 * fsyncs it and renames it over the target, so readers see the old file or
 * the new one. In-progress files are never listed; those a crash left behind
 * go with `deleteRecursive` of their folder. Names matching
 * `.*.inprogress-<12 hex>` are therefore reserved.
 *
 * No entropy (`entropyKey` is null) and no retries; a call is bounded only by
 * the caller's `deadlineMs` and `signal`.
 */
const IN_PROGRESS = /^\..+\.inprogress-[0-9a-f]{12}$/;
/** Reads go in 8 MiB steps so an abort is seen between them. */
const READ_CHUNK = 8 * 1024 * 1024;

export class FileSystemCheckpointStorage implements CheckpointStorage {
  readonly kind = 'filesystem' as const;
  readonly entropyKey = null;
  readonly rootUri: string;

  /** `root` must be absolute (see parseStorageLocation). */
  constructor(readonly root: string) {
    this.rootUri = `file://${root}`;
  }

  uri(path: string): string {
    return path === '' ? this.rootUri : `file://${join(this.root, path)}`;
  }

  put(path: string, bytes: Uint8Array, options?: PutOptions): Promise<string> {
    return this.run('put', path, options, async (signal) => {
      const file = this.file(checkObjectPath(path, 'put', this.uri(path)));
      await mkdir(dirname(file), { recursive: true });
      const tmp = join(dirname(file), `.${basename(file)}.inprogress-${randomBytes(6).toString('hex')}`);
      try {
        const handle = await open(tmp, 'wx');
        try {
          await handle.writeFile(bytes, { signal });
          await handle.sync();
        } finally {
          await handle.close();
        }
        signal.throwIfAborted();
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      return path;
    });
  }

  get(path: string, options?: StorageCallOptions): Promise<Buffer> {
    return this.run('get', path, options, (signal) => this.read(checkObjectPath(path, 'get', this.uri(path)), 0, null, signal));
  }

  getRange(path: string, offset: number, length: number, options?: StorageCallOptions): Promise<Buffer> {
    return this.run('getRange', path, options, (signal) => {
      checkRange(offset, length, this.uri(path));
      return this.read(checkObjectPath(path, 'getRange', this.uri(path)), offset, length, signal);
    });
  }

  exists(path: string, options?: StorageCallOptions): Promise<boolean> {
    return this.run('exists', path, options, async () => {
      try {
        return (await stat(this.file(checkObjectPath(path, 'exists', this.uri(path))))).isFile();
      } catch (err) {
        if (isMissing(err)) return false;
        throw err;
      }
    });
  }

  list(prefix: string, options?: StorageCallOptions): Promise<StoredObject[]> {
    return this.run('list', prefix, options, async (signal) => {
      const base = checkPrefix(prefix, 'list', this.uri(prefix));
      const found: StoredObject[] = [];
      await this.walk(base, found, signal);
      return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    });
  }

  delete(path: string, options?: StorageCallOptions): Promise<void> {
    return this.run('delete', path, options, async () => {
      try {
        await unlink(this.file(checkObjectPath(path, 'delete', this.uri(path))));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (!isMissing(err) && code !== 'EISDIR') throw err;
      }
    });
  }

  deleteRecursive(prefix: string, options?: StorageCallOptions): Promise<number> {
    return this.run('deleteRecursive', prefix, options, async (signal) => {
      const base = checkPrefix(prefix, 'deleteRecursive', this.uri(prefix));
      const found: StoredObject[] = [];
      await this.walk(base, found, signal);
      signal.throwIfAborted();
      if (base !== '') {
        await rm(this.file(base), { recursive: true, force: true });
      } else {
        // Keep the root folder itself: it may be a mount point or shared.
        for (const name of await readdirOrEmpty(this.root)) await rm(join(this.root, name), { recursive: true, force: true });
      }
      return found.length;
    });
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  /**
   * `length` bytes from `offset` (null: to the end) into one buffer. The file
   * read is immutable: `put` renames a new inode over it, never writes in place.
   */
  private async read(path: string, offset: number, length: number | null, signal: AbortSignal): Promise<Buffer> {
    const handle = await open(this.file(path), 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw Object.assign(new Error(`${path} is a folder`), { code: 'EISDIR' });
      const size = info.size;
      const want = length ?? size - offset;
      if (offset + want > size) throw rangeError(this.uri(path), offset, want, size);
      const out = Buffer.allocUnsafe(want);
      let done = 0;
      while (done < want) {
        signal.throwIfAborted();
        const { bytesRead } = await handle.read(out, done, Math.min(want - done, READ_CHUNK), offset + done);
        if (bytesRead === 0) throw rangeError(this.uri(path), offset, want, offset + done);
        done += bytesRead;
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  private file(path: string): string {
    return path === '' ? this.root : join(this.root, path);
  }

  /** Adds every committed file at or under `path` to `found`. */
  private async walk(path: string, found: StoredObject[], signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    let info;
    try {
      info = await stat(this.file(path));
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    if (info.isFile()) {
      if (!IN_PROGRESS.test(basename(path))) found.push({ path, size: info.size });
      return;
    }
    if (!info.isDirectory()) return;
    for (const name of await readdirOrEmpty(this.file(path))) await this.walk(joinPath(path, name), found, signal);
  }

  private async run<T>(
    operation: StorageOperation,
    path: string,
    options: StorageCallOptions | undefined,
    body: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const budget = new CallBudget(options);
    try {
      budget.signal.throwIfAborted();
      return await body(budget.signal);
    } catch (err) {
      throw fileSystemError(err, operation, this.uri(path), budget);
    } finally {
      budget.dispose();
    }
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}
