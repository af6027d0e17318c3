import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Output } from '../output.js';
import { splitRange, type SourceReader } from './source-reader.js';

const CHUNK = 256 * 1024;
const NEWLINE = 0x0a;

/**
 * An unread byte range of a text file. A split reads the lines that *start*
 * in [start, end). `atLineStart` says `start` is known to begin a line (a
 * restored position); otherwise a line straddling `start` belongs to the
 * previous split and is skipped.
 */
export interface TextFileSplit {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly atLineStart: boolean;
}

/** The initial split of subtask `index`: its share of the file's bytes. */
export async function initialTextFileSplits(path: string, index: number, parallelism: number): Promise<TextFileSplit[]> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`readTextFile: cannot open ${path}${code === 'ENOENT' ? ': no such file' : `: ${code}`}`, { cause: err });
  }
  const { start, end } = splitRange(size, index, parallelism);
  return [{ path, start, end, atLineStart: start === 0 }];
}

/**
 * readTextFile(path) in splits by byte offset, so every line is read by
 * exactly one subtask whatever the parallelism. Lines end at \n (a \r before
 * it is dropped), decoded as UTF-8. The state of a split is the byte offset
 * of its next line.
 */
export class TextFileSource implements SourceReader {
  private splits: TextFileSplit[] = [];
  private file: FileHandle | undefined;
  private current: { path: string; offset: number; end: number } | undefined;
  /** Bytes read from `current.offset` on that are not consumed yet. */
  private pending: Buffer = Buffer.alloc(0);
  private eof = false;

  /** `splits`: restored splits, or how to compute the initial ones (at open). */
  constructor(private readonly initial: readonly TextFileSplit[] | (() => Promise<TextFileSplit[]>)) {}

  async open(): Promise<void> {
    this.splits = typeof this.initial === 'function' ? await this.initial() : [...this.initial];
  }

  async emit(out: Output, max: number): Promise<boolean> {
    let emitted = 0;
    while (emitted < max) {
      if (!this.current && !(await this.openNextSplit())) return false;
      const current = this.current!;
      if (current.offset >= current.end) {
        await this.finishSplit();
        continue;
      }
      let newline = this.pending.indexOf(NEWLINE);
      while (newline < 0 && !this.eof) {
        await this.fill();
        newline = this.pending.indexOf(NEWLINE);
      }
      if (newline < 0) {
        // Last line of the file, without a trailing newline.
        if (this.pending.length > 0) {
          out.collect(this.pending.toString('utf8').replace(/\r$/, ''));
          emitted += 1;
        }
        this.consume(this.pending.length);
        await this.finishSplit();
        continue;
      }
      const lineEnd = newline > 0 && this.pending[newline - 1] === 0x0d ? newline - 1 : newline;
      out.collect(this.pending.toString('utf8', 0, lineEnd));
      this.consume(newline + 1);
      emitted += 1;
    }
    return this.current !== undefined || this.splits.length > 0;
  }

  private async openNextSplit(): Promise<boolean> {
    const split = this.splits.shift();
    if (!split) return false;
    try {
      this.file = await open(split.path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`readTextFile: cannot open ${split.path}${code === 'ENOENT' ? ': no such file' : `: ${code}`}`, { cause: err });
    }
    this.current = { path: split.path, offset: split.start, end: split.end };
    this.pending = Buffer.alloc(0);
    this.eof = false;
    if (!split.atLineStart && split.start > 0) {
      const previous = Buffer.alloc(1);
      await this.file.read(previous, 0, 1, split.start - 1);
      if (previous[0] !== NEWLINE) await this.skipPartialLine();
    }
    return true;
  }

  private async skipPartialLine(): Promise<void> {
    for (;;) {
      if (!(await this.fill())) return;
      const newline = this.pending.indexOf(NEWLINE);
      if (newline >= 0) {
        this.consume(newline + 1);
        return;
      }
      this.consume(this.pending.length);
    }
  }

  private async finishSplit(): Promise<void> {
    await this.file?.close();
    this.file = undefined;
    this.current = undefined;
  }

  /** Reads the next chunk into `pending`; false at end of file. */
  private async fill(): Promise<boolean> {
    if (this.eof || !this.file || !this.current) return false;
    const chunk = Buffer.alloc(CHUNK);
    const { bytesRead } = await this.file.read(chunk, 0, CHUNK, this.current.offset + this.pending.length);
    if (bytesRead === 0) {
      this.eof = true;
      return false;
    }
    const read = chunk.subarray(0, bytesRead);
    this.pending = this.pending.length === 0 ? read : Buffer.concat([this.pending, read]);
    return true;
  }

  private consume(bytes: number): void {
    this.pending = this.pending.subarray(bytes);
    if (this.current) this.current.offset += bytes;
  }

  snapshotSplits(): TextFileSplit[] {
    const splits: TextFileSplit[] = [];
    if (this.current && this.current.offset < this.current.end) {
      splits.push({ path: this.current.path, start: this.current.offset, end: this.current.end, atLineStart: true });
    }
    return [...splits, ...this.splits];
  }

  async close(): Promise<void> {
    await this.finishSplit();
  }
}
