import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommitRequest, Committer, CommitterInitContext, Sink, SinkWriter, WriterInitContext } from '@rivulet/api';
import { formatRecord } from './format-record.js';

/** A closed, fsynced part file waiting for its commit: its hidden name in the sink's folder. */
export interface FilePartCommittable {
  readonly file: string;
}

const IN_PROGRESS = /^\.part-(\d+)-([0-9a-z]+)-(\d+)\.inprogress$/;
/** Lines buffered before they are written to the part file. */
const WRITE_BATCH_LINES = 1024;

/**
 * writeAsText(dir), exactly once, as a two-phase-commit Sink (Flink's FileSink):
 *
 * - records go to a hidden in-progress file `.part-<subtask>-<token>-<n>.inprogress`,
 *   the token naming this deployment of the subtask (so no two runs share a name);
 * - at a checkpoint the file is written out, fsynced and closed, and becomes
 *   a committable (its name is in the checkpoint's state);
 * - the committer renames it to `part-<subtask>-<token>-<n>` once the
 *   checkpoint completed, then fsyncs the folder: only then is it visible,
 *   durably. Idempotent: a file already renamed is skipped (a restore
 *   commits its checkpoint's files again);
 * - the first commit of a file of this deployment deletes the in-progress
 *   files of earlier deployments of the old subtasks mapped to this one
 *   (old subtask mod parallelism): they hold records after the restored
 *   checkpoint. Not earlier: until every subtask committed its share of the
 *   restored files (it has when a checkpoint after the restore completed),
 *   an old file may still be another subtask's committable.
 *
 * Invariant: a record is in a visible file only if the checkpoint that
 * covers it completed, or the input ended; so the visible output after any
 * restore contains every record exactly once.
 */
export class TextFileSink implements Sink<unknown, FilePartCommittable> {
  constructor(
    private readonly dir: string,
    /** Unique per deployment of this subtask, [0-9a-z]+. */
    private readonly token: string,
  ) {}

  async createWriter(context: WriterInitContext): Promise<SinkWriter<unknown, FilePartCommittable>> {
    await mkdir(this.dir, { recursive: true });
    return new TextFileWriter(this.dir, context.subtaskIndex, this.token);
  }

  restoreWriter(context: WriterInitContext): Promise<SinkWriter<unknown, FilePartCommittable>> {
    return this.createWriter(context); // an open part file is not resumed: its records are replayed
  }

  async createCommitter(context: CommitterInitContext): Promise<Committer<FilePartCommittable>> {
    await mkdir(this.dir, { recursive: true });
    return new TextFileCommitter(this.dir, context.subtaskIndex, context.parallelism, this.token);
  }
}

/** Writes lines to the current part file; prepareCommit closes it (fsynced) as a committable. */
class TextFileWriter implements SinkWriter<unknown, FilePartCommittable> {
  private handle: FileHandle | undefined;
  private currentFile: string | undefined;
  private buffer: string[] = [];
  private partNumber = 0;

  constructor(
    private readonly dir: string,
    private readonly subtaskIndex: number,
    private readonly token: string,
  ) {}

  write(record: unknown): Promise<void> | undefined {
    this.buffer.push(formatRecord(record));
    return this.buffer.length >= WRITE_BATCH_LINES ? this.writeBuffer() : undefined;
  }

  async flush(): Promise<void> {
    await this.writeBuffer();
  }

  async prepareCommit(): Promise<FilePartCommittable[]> {
    await this.writeBuffer();
    const handle = this.handle;
    const file = this.currentFile;
    this.handle = undefined;
    this.currentFile = undefined;
    if (!handle || !file) return [];
    try {
      await handle.sync();
    } catch (err) {
      throw new Error(`writeAsText: cannot fsync ${join(this.dir, file)}: ${(err as Error).message}`, { cause: err });
    } finally {
      await handle.close();
    }
    return [{ file }];
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async writeBuffer(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    if (!this.handle) {
      this.currentFile = `.part-${this.subtaskIndex}-${this.token}-${this.partNumber++}.inprogress`;
      this.handle = await this.openPart(this.currentFile);
    }
    try {
      await this.handle.appendFile(text);
    } catch (err) {
      throw new Error(`writeAsText: cannot write ${join(this.dir, this.currentFile!)}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async openPart(file: string): Promise<FileHandle> {
    try {
      return await open(join(this.dir, file), 'w');
    } catch (err) {
      throw new Error(`writeAsText: cannot create ${join(this.dir, file)}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** Renames part files to their visible names and fsyncs the folder. */
class TextFileCommitter implements Committer<FilePartCommittable> {
  private staleFilesDeleted = false;

  constructor(
    private readonly dir: string,
    private readonly subtaskIndex: number,
    private readonly parallelism: number,
    private readonly token: string,
  ) {}

  async commit(requests: readonly CommitRequest<FilePartCommittable>[]): Promise<void> {
    let ownCommitted = false;
    for (const request of requests) {
      const { file } = request.committable;
      const visible = file.replace(/^\.(part-.*)\.inprogress$/, '$1');
      try {
        await rename(join(this.dir, file), join(this.dir, visible));
        ownCommitted ||= IN_PROGRESS.exec(file)?.[2] === this.token;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // Committed before (a restore commits again): the visible file must exist.
        const committed = await stat(join(this.dir, visible)).then(() => true, () => false);
        if (committed) request.signalAlreadyCommitted();
        else request.signalFailedWithKnownReason(new Error(`writeAsText: ${join(this.dir, file)} is missing and was never committed`));
      }
    }
    await this.syncFolder();
    if (ownCommitted && !this.staleFilesDeleted) {
      this.staleFilesDeleted = true;
      await this.deleteStaleInProgressFiles();
    }
  }

  /** A rename is durable once its folder is fsynced. */
  private async syncFolder(): Promise<void> {
    const folder = await open(this.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  /** In-progress files of earlier deployments hold uncommitted records: delete those of the old subtasks mapped to this one. */
  private async deleteStaleInProgressFiles(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const match = IN_PROGRESS.exec(name);
      if (!match || match[2] === this.token || Number(match[1]) % this.parallelism !== this.subtaskIndex) continue;
      await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }
}
