import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChainMember, Output } from '../output.js';
import { formatRecord } from './format-record.js';

/** The sink's state in a checkpoint: files written before it, not yet visible. */
export interface FileSinkState {
  readonly pending: ReadonlyArray<{ readonly checkpointId: number; readonly files: readonly string[] }>;
}

const IN_PROGRESS = /^\.part-(\d+)-([0-9a-z]+)-(\d+)\.inprogress$/;

/**
 * writeAsText(dir), exactly once, by two-phase commit (Flink's FileSink):
 *
 * - records go to a hidden in-progress file `.part-<subtask>-<token>-<n>.inprogress`,
 *   the token naming this deployment of the subtask (so no two runs share a name);
 * - at a checkpoint the file is closed and becomes *pending* for that
 *   checkpoint (its name is in the checkpoint's state);
 * - when the checkpoint completes, its pending files are renamed to
 *   `part-<subtask>-<token>-<n>`: only then are they visible;
 * - on restore, the pending files of the restored checkpoint are committed
 *   (idempotent: a file already renamed is skipped) and in-progress files of
 *   earlier runs, which hold records after that checkpoint, are deleted;
 * - at the end of a bounded input everything left is committed.
 *
 * Invariant: a record is in a visible file only if the checkpoint that
 * covers it completed, or the input ended; so the visible output after any
 * restore contains every record exactly once.
 */
export class TransactionalFileSink implements Output, ChainMember {
  /** Formats each record at once, mutating and keeping nothing. */
  readonly acceptsShared = true;
  private stream: WriteStream | undefined;
  private currentFile: string | undefined;
  private buffer: string[] = [];
  private partNumber = 0;
  private readonly pending: Array<{ checkpointId: number; files: string[] }> = [];

  constructor(
    private readonly dir: string,
    private readonly subtaskIndex: number,
    private readonly parallelism: number,
    /** Unique per deployment of this subtask, [0-9a-z]+. */
    private readonly token: string,
    private readonly restored: FileSinkState | undefined,
  ) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    if (this.restored) {
      for (const { files } of this.restored.pending) await this.commit(files);
    }
    await this.deleteStaleInProgressFiles();
  }

  collect(record: unknown): void {
    this.buffer.push(formatRecord(record));
  }

  drainPending(): Promise<void> | undefined {
    if (this.buffer.length === 0) return undefined;
    const stream = this.stream ?? this.openPart();
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    if (stream.write(text)) return undefined;
    return new Promise((resolve) => stream.once('drain', () => resolve()));
  }

  /** Closes the current file; it becomes pending for `checkpointId`. Returns the sink's state. */
  async snapshotState(checkpointId: number): Promise<FileSinkState> {
    await this.closeCurrent(checkpointId);
    return { pending: this.pending.map((p) => ({ checkpointId: p.checkpointId, files: [...p.files] })) };
  }

  /** The checkpoint completed: make its files (and older ones) visible. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    while (this.pending.length > 0 && this.pending[0]!.checkpointId <= checkpointId) {
      await this.commit(this.pending.shift()!.files);
    }
  }

  async finish(): Promise<void> {
    await this.closeCurrent(Number.MAX_SAFE_INTEGER);
    await this.notifyCheckpointComplete(Number.MAX_SAFE_INTEGER);
  }

  close(): void {
    this.stream?.destroy();
    this.stream = undefined;
  }

  private openPart(): WriteStream {
    this.currentFile = `.part-${this.subtaskIndex}-${this.token}-${this.partNumber++}.inprogress`;
    this.stream = createWriteStream(join(this.dir, this.currentFile), { flags: 'w' });
    this.stream.on('error', () => undefined); // surfaced by end() in closeCurrent
    return this.stream;
  }

  private async closeCurrent(checkpointId: number): Promise<void> {
    await this.drainPending();
    const stream = this.stream;
    const file = this.currentFile;
    this.stream = undefined;
    this.currentFile = undefined;
    if (!stream || !file) return;
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(new Error(`writeAsText: cannot write ${join(this.dir, file)}: ${err.message}`)) : resolve())),
    );
    const last = this.pending.at(-1);
    if (last?.checkpointId === checkpointId) last.files.push(file);
    else this.pending.push({ checkpointId, files: [file] });
  }

  private async commit(files: readonly string[]): Promise<void> {
    for (const file of files) {
      const visible = file.replace(/^\.(part-.*)\.inprogress$/, '$1');
      try {
        await rename(join(this.dir, file), join(this.dir, visible));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // Committed before (a restore commits again): the visible file must exist.
        await stat(join(this.dir, visible)).catch(() => {
          throw new Error(`writeAsText: ${join(this.dir, file)} is missing and was never committed`);
        });
      }
    }
  }

  /** In-progress files of earlier runs hold uncommitted records: delete those of the old subtasks mapped to this one. */
  private async deleteStaleInProgressFiles(): Promise<void> {
    const pendingNames = new Set(this.restored?.pending.flatMap((p) => p.files) ?? []);
    for (const name of await readdir(this.dir)) {
      const match = IN_PROGRESS.exec(name);
      if (!match || pendingNames.has(name)) continue;
      const oldSubtask = Number(match[1]);
      if (match[2] !== this.token && oldSubtask % this.parallelism === this.subtaskIndex) {
        await unlink(join(this.dir, name)).catch(() => undefined);
      }
    }
  }
}
