/**
 * Turns records into the bytes of a row-format part file (Flink's Encoder).
 * `encode` returns one record's text, its line terminator included; the
 * writer appends it to the record's part file as UTF-8. `header`, when
 * given, is written at the start of every part file (e.g. a CSV header), so
 * each file can be read on its own.
 */
export interface Encoder<T> {
  encode(record: T): string;
  header?(): string;
}

/** A line of text per record: the FileSink appends the newline. */
export type LineFormatter<T> = (record: T) => string;

/** An Encoder, or a function giving a record's line (a newline is appended, as Flink's SimpleStringEncoder does). */
export type EncoderLike<T> = Encoder<T> | LineFormatter<T>;

/** The encoder a FileSink uses for `encoder` (a function becomes a line encoder). */
export function toEncoder<T>(encoder: EncoderLike<T>): Encoder<T> {
  if (typeof encoder === 'function') return lineEncoder(encoder);
  return encoder;
}

/** A line per record: `format(record)` and a newline. */
export function lineEncoder<T>(format: LineFormatter<T>): Encoder<T> {
  return {
    encode(record: T): string {
      const line = format(record);
      if (typeof line !== 'string') throw new TypeError(`the line encoder returned ${typeof line}, not a string`);
      return `${line}\n`;
    },
  };
}
