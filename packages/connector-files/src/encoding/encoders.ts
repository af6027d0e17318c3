import { csvEncoder, type CsvEncoderOptions } from './csv-encoder.js';
import { lineEncoder, type Encoder, type LineFormatter } from './encoder.js';
import { jsonLinesEncoder } from './json-lines-encoder.js';

/** The built-in row formats of `FileSink.forRowFormat(path, encoder)`. */
export const Encoders = {
  /** One JSON document per line. */
  jsonLines: <T>(): Encoder<T> => jsonLinesEncoder<T>(),
  /** CSV rows of the chosen columns (csv-stringify), optionally with a header line per part file. */
  csv: <T>(options: CsvEncoderOptions): Encoder<T> => csvEncoder<T>(options),
  /** A line per record: `format(record)`, default `String(record)` (Flink's SimpleStringEncoder), and a newline. */
  lines: <T>(format: LineFormatter<T> = String): Encoder<T> => lineEncoder<T>(format),
} as const;
