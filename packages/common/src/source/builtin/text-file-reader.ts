import { open, type FileHandle } from 'node:fs/promises';
import type { InputStatus, ReaderOutput } from '@rivulet/api';
import { recordBatchOutputOf } from './record-batch-output.js';
import { shareOf } from './split-ownership.js';
import { SplitQueueReader } from './split-queue-reader.js';
import type { TextFileSplit } from './text-file-split.js';

const CHUNK = 256 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Lines per pollNext when the output offers no batch path. */
const LINES_PER_POLL = 256;

/** The split at the head of the queue, opened. */
interface OpenSplit {
  readonly splitId: string;
  readonly path: string;
  readonly file: FileHandle;
  /** The byte offset of the next line (of `pending[0]`). */
  offset: number;
  /** Lines that start before this offset are the split's. */
  readonly end: number;
  /** Bytes read from `offset` on and not consumed yet. */
  pending: Buffer;
  eof: boolean;
}

/**
 * Reads text file splits one after another: the lines that start in each
 * split's byte range, split at \n (a \r before it is dropped), decoded as
 * UTF-8; the file's last line needs no terminator. Opening a `share` split
 * resolves it against the file's size then. A checkpoint holds the split
 * being read as `bytes` from the offset of its next line, and the splits
 * not opened yet as they came.
 *
 * The file must not change while it is read: the shares of one file are
 * resolved by different readers, each against the size it sees.
 */
export class TextFileReader extends SplitQueueReader<string, TextFileSplit, TextFileSplit> {
  private opened: OpenSplit | undefined;

  constructor(private readonly description: string) {
    super();
  }

  async pollNext(output: ReaderOutput<string>): Promise<InputStatus> {
    const batch = recordBatchOutputOf(output as ReaderOutput<unknown>);
    const budget = batch === undefined ? LINES_PER_POLL : Math.max(1, batch.remaining());
    const lines: { collect(line: string): void } = batch === undefined ? output : batch.records;
    let emitted = 0;
    try {
      while (emitted < budget) {
        const split = this.opened ?? (await this.openHead());
        if (split === undefined) break;
        if (split.offset >= split.end) {
          await this.finishHead();
          continue;
        }
        let newline = split.pending.indexOf(NEWLINE);
        while (newline < 0 && !split.eof) {
          await this.fill(split);
          newline = split.pending.indexOf(NEWLINE);
        }
        if (newline < 0) {
          // The file's last line, without a terminator.
          if (split.pending.length > 0) {
            lines.collect(split.pending.toString('utf8').replace(/\r$/, ''));
            emitted += 1;
          }
          consume(split, split.pending.length);
          await this.finishHead();
          continue;
        }
        const lineEnd = newline > 0 && split.pending[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
        lines.collect(split.pending.toString('utf8', 0, lineEnd));
        consume(split, newline + 1);
        emitted += 1;
      }
    } finally {
      batch?.emitted(emitted);
    }
    return this.status();
  }

  snapshotState(): TextFileSplit[] {
    const opened = this.opened;
    if (opened === undefined) return [...this.queue];
    const rest = this.queue.slice(1);
    if (opened.offset >= opened.end) return rest;
    return [{ splitId: opened.splitId, path: opened.path, range: { kind: 'bytes', start: opened.offset, end: opened.end, atLineStart: true } }, ...rest];
  }

  override async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    await opened?.file.close();
  }

  protected started(split: TextFileSplit): TextFileSplit {
    return split;
  }

  /** Opens the split at the head of the queue, at the first line that starts in its range; undefined when none is queued. */
  private async openHead(): Promise<OpenSplit | undefined> {
    const split = this.queue[0];
    if (split === undefined) return undefined;
    let file: FileHandle;
    try {
      file = await open(split.path, 'r');
    } catch (err) {
      throw this.cannotRead(split.path, err);
    }
    try {
      const stats = await file.stat();
      if (!stats.isFile()) throw new Error(`${this.description}: readTextFile: ${split.path} is not a file`);
      const range = split.range.kind === 'share'
        ? { ...shareOf(stats.size, split.range.index, split.range.count), atLineStart: false }
        : split.range;
      const opened: OpenSplit = { splitId: split.splitId, path: split.path, file, offset: range.start, end: range.end, pending: Buffer.alloc(0), eof: false };
      this.opened = opened;
      if (!range.atLineStart && range.start > 0) {
        const previous = Buffer.alloc(1);
        await file.read(previous, 0, 1, range.start - 1);
        if (previous[0] !== NEWLINE) await this.skipPartialLine(opened);
      }
      return opened;
    } catch (err) {
      this.opened = undefined;
      await file.close().catch(() => undefined);
      throw err instanceof Error && err.message.startsWith(this.description) ? err : this.cannotRead(split.path, err);
    }
  }

  /** The line that straddles the split's start belongs to the split before: skip to the next line. */
  private async skipPartialLine(split: OpenSplit): Promise<void> {
    for (;;) {
      if (!(await this.fill(split))) return;
      const newline = split.pending.indexOf(NEWLINE);
      if (newline >= 0) {
        consume(split, newline + 1);
        return;
      }
      consume(split, split.pending.length);
    }
  }

  private async finishHead(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    this.queue.shift();
    await opened?.file.close();
  }

  /** Reads the next chunk into `pending`; false at the end of the file. */
  private async fill(split: OpenSplit): Promise<boolean> {
    if (split.eof) return false;
    const chunk = Buffer.alloc(CHUNK);
    let bytesRead: number;
    try {
      ({ bytesRead } = await split.file.read(chunk, 0, CHUNK, split.offset + split.pending.length));
    } catch (err) {
      throw this.cannotRead(split.path, err);
    }
    if (bytesRead === 0) {
      split.eof = true;
      return false;
    }
    const read = chunk.subarray(0, bytesRead);
    split.pending = split.pending.length === 0 ? read : Buffer.concat([split.pending, read]);
    return true;
  }

  private cannotRead(path: string, err: unknown): Error {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? (err instanceof Error ? err.message : String(err));
    return new Error(`${this.description}: readTextFile: cannot read ${path}: ${reason}`, { cause: err });
  }
}

function consume(split: OpenSplit, bytes: number): void {
  split.pending = split.pending.subarray(bytes);
  split.offset += bytes;
}
