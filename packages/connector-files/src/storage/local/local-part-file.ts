import { randomUUID } from 'node:crypto';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalPartCommittable } from '../../committable.js';
import { FileSinkError, reason } from '../../file-sink-error.js';
import { inProgressFileName } from '../../writer/part-file-name.js';
import type { InProgressPartFile } from '../part-file-store.js';
import { fsyncFolder } from './fsync-folder.js';

/** Text buffered before it is appended to the file. */
const WRITE_BUFFER_BYTES = 256 * 1024;

/**
 * A local part file, written as Flink's local writer does: to a hidden
 * `.<finished name>.inprogress.<uuid>` in its bucket's folder (created with
 * the file, which is created at the first write-out). `closeForCommit`
 * writes the rest out, fsyncs the file and its folder and closes it: the
 * committable (rename to the finished name) is durable then.
 */
export class LocalPartFile implements InProgressPartFile {
  private readonly inProgressPath: string;
  private readonly finalPath: string;
  private handle: FileHandle | undefined;
  private created = false;
  private chunks: string[] = [];
  private buffered = 0;
  private size = 0;

  constructor(
    private readonly sink: string,
    private readonly folder: string,
    finishedName: string,
  ) {
    this.finalPath = join(folder, finishedName);
    this.inProgressPath = join(folder, inProgressFileName(finishedName, randomUUID()));
  }

  write(text: string, bytes: number): void | Promise<void> {
    this.chunks.push(text);
    this.buffered += bytes;
    this.size += bytes;
    if (this.buffered >= WRITE_BUFFER_BYTES) return this.writeOut();
  }

  async closeForCommit(): Promise<LocalPartCommittable> {
    await this.writeOut();
    const handle = await this.opened();
    try {
      await handle.sync();
      await handle.close();
      this.handle = undefined;
      await fsyncFolder(this.folder);
    } catch (err) {
      throw new FileSinkError(this.sink, `cannot fsync ${this.inProgressPath}: ${reason(err)}`, { cause: err });
    }
    return { version: 1, kind: 'local', inProgressPath: this.inProgressPath, finalPath: this.finalPath, size: this.size };
  }

  async discard(): Promise<void> {
    this.chunks = [];
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    if (this.created) await unlink(this.inProgressPath).catch(() => undefined);
  }

  private async writeOut(): Promise<void> {
    if (this.chunks.length === 0) return;
    const text = this.chunks.length === 1 ? this.chunks[0]! : this.chunks.join('');
    this.chunks = [];
    this.buffered = 0;
    const handle = await this.opened();
    try {
      await handle.appendFile(text);
    } catch (err) {
      throw new FileSinkError(this.sink, `cannot write ${this.inProgressPath}: ${reason(err)}`, { cause: err });
    }
  }

  private async opened(): Promise<FileHandle> {
    if (this.handle !== undefined) return this.handle;
    try {
      await mkdir(this.folder, { recursive: true });
      this.handle = await open(this.inProgressPath, 'wx');
      this.created = true;
    } catch (err) {
      throw new FileSinkError(this.sink, `cannot create ${this.inProgressPath}: ${reason(err)}`, { cause: err });
    }
    return this.handle;
  }
}
