import { open, type FileHandle } from 'node:fs/promises';
import type { Output } from '../output.js';
import { splitRange, type SourceReader } from './source-reader.js';

const CHUNK = 256 * 1024;
const NEWLINE = 0x0a;

/**
 * readTextFile(path) in splits by byte offset: subtask i reads the lines
 * that *start* in its share [start, end) of the file, so every line is read
 * by exactly one subtask whatever the parallelism. Lines end at \n (a \r
 * before it is dropped), decoded as UTF-8. The position is the byte offset
 * of the next line, so a later issue can resume from it.
 */
export class TextFileSource implements SourceReader {
  private file: FileHandle | undefined;
  private start = 0;
  private end = 0;
  /** Offset of the first byte of `pending`. */
  private offset = 0;
  private pending: Buffer = Buffer.alloc(0);
  private eof = false;

  constructor(
    private readonly path: string,
    private readonly subtaskIndex: number,
    private readonly parallelism: number,
  ) {}

  async open(): Promise<void> {
    try {
      this.file = await open(this.path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`readTextFile: cannot open ${this.path}${code === 'ENOENT' ? ': no such file' : `: ${code}`}`, { cause: err });
    }
    const { size } = await this.file.stat();
    ({ start: this.start, end: this.end } = splitRange(size, this.subtaskIndex, this.parallelism));
    this.offset = this.start;
    if (this.start > 0) {
      // A line starting before `start` belongs to the previous split: skip to the first line start at or after it.
      const previous = Buffer.alloc(1);
      await this.file.read(previous, 0, 1, this.start - 1);
      if (previous[0] !== NEWLINE) await this.skipPartialLine();
    }
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

  async emit(out: Output, max: number): Promise<boolean> {
    let emitted = 0;
    while (emitted < max) {
      if (this.offset >= this.end) return false;
      let newline = this.pending.indexOf(NEWLINE);
      while (newline < 0 && !this.eof) {
        await this.fill();
        newline = this.pending.indexOf(NEWLINE);
      }
      if (newline < 0) {
        // Last line without a trailing newline.
        if (this.pending.length > 0) out.collect(this.pending.toString('utf8').replace(/\r$/, ''));
        this.consume(this.pending.length);
        return false;
      }
      const lineEnd = newline > 0 && this.pending[newline - 1] === 0x0d ? newline - 1 : newline;
      out.collect(this.pending.toString('utf8', 0, lineEnd));
      this.consume(newline + 1);
      emitted += 1;
    }
    return this.offset < this.end;
  }

  /** Reads the next chunk into `pending`; false at end of file. */
  private async fill(): Promise<boolean> {
    if (this.eof || !this.file) return false;
    const chunk = Buffer.alloc(CHUNK);
    const { bytesRead } = await this.file.read(chunk, 0, CHUNK, this.offset + this.pending.length);
    if (bytesRead === 0) {
      this.eof = true;
      return false;
    }
    this.pending = this.pending.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([this.pending, chunk.subarray(0, bytesRead)]);
    return true;
  }

  private consume(bytes: number): void {
    this.pending = this.pending.subarray(bytes);
    this.offset += bytes;
  }

  position(): number {
    return this.offset;
  }

  async close(): Promise<void> {
    await this.file?.close();
    this.file = undefined;
  }
}
