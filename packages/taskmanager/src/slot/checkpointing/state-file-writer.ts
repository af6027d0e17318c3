/**
 * Streams one operator subtask's snapshot bytes into state files.
 *
 * Bytes are appended piece by piece (one key group's state or timers each);
 * when the current file reaches `fileBytes` it is written while the caller
 * goes on appending to the next one, with at most `maxInFlight` writes at a
 * time (`append` waits for a slot). Each piece gets a handle (file, offset,
 * length); `finish` writes the last file and returns every file's path, so
 * the caller turns handles into (path, offset, length).
 *
 * A failed write fails the next `append` or `finish`; `abandon` waits for the
 * writes in flight to settle (so none is left running unobserved).
 */
export interface PieceHandle {
  readonly file: number;
  readonly offset: number;
  readonly length: number;
}

/** Writes file number `index` with `bytes`; resolves to the path recorded for it. */
export type WriteStateFile = (index: number, bytes: Buffer) => Promise<string>;

export interface StateFileWriterOptions {
  readonly fileBytes: number;
  readonly maxInFlight: number;
}

export const DEFAULT_STATE_FILE_OPTIONS: StateFileWriterOptions = { fileBytes: 8 * 1024 * 1024, maxInFlight: 2 };

export class StateFileWriter {
  private pieces: Uint8Array[] = [];
  private fileIndex = 0;
  private offset = 0;
  private readonly paths: (string | undefined)[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  private appended = 0;

  constructor(
    private readonly write: WriteStateFile,
    private readonly options: StateFileWriterOptions = DEFAULT_STATE_FILE_OPTIONS,
  ) {
    if (!(options.fileBytes > 0) || !(options.maxInFlight >= 1)) {
      throw new RangeError(`state file options need fileBytes > 0 and maxInFlight >= 1, got ${JSON.stringify(options)}`);
    }
  }

  /** Total bytes appended so far. */
  get bytes(): number {
    return this.appended;
  }

  async append(piece: Uint8Array): Promise<PieceHandle> {
    this.throwIfFailed();
    const handle = { file: this.fileIndex, offset: this.offset, length: piece.byteLength };
    this.pieces.push(piece);
    this.offset += piece.byteLength;
    this.appended += piece.byteLength;
    if (this.offset >= this.options.fileBytes) await this.flush();
    return handle;
  }

  /** Writes what is left and waits for every write; returns the path of each file by index. */
  async finish(): Promise<string[]> {
    this.throwIfFailed();
    if (this.offset > 0) await this.flush();
    await Promise.all(this.inFlight);
    this.throwIfFailed();
    return this.paths.map((p, i) => {
      if (p === undefined) throw new Error(`state file ${i} has no path`);
      return p;
    });
  }

  /** Waits for the writes in flight to settle, ignoring their outcome. */
  async abandon(): Promise<void> {
    await Promise.allSettled(this.inFlight);
  }

  private async flush(): Promise<void> {
    while (this.inFlight.size >= this.options.maxInFlight) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const index = this.fileIndex;
    const bytes = Buffer.concat(this.pieces, this.offset);
    this.pieces = [];
    this.fileIndex += 1;
    this.offset = 0;
    const writing = this.write(index, bytes).then(
      (path) => {
        this.paths[index] = path;
      },
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    this.inFlight.add(writing);
    void writing.finally(() => this.inFlight.delete(writing));
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
