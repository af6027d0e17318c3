import { stringify, type ColumnOption } from 'csv-stringify/sync';
import type { Encoder } from './encoder.js';

/** A CSV column: the record's property (or array index) `key`, titled `header` in the header line (default: the key). */
export type CsvColumn = string | { readonly key: string; readonly header?: string };

export interface CsvEncoderOptions {
  /** The columns, in order: which properties of each record are written. Required: a record's other properties are left out. */
  readonly columns: readonly CsvColumn[];
  /** Write a header line at the start of every part file; default false (as Flink's CSV writer). */
  readonly header?: boolean;
  /** Field delimiter, default `,`. */
  readonly delimiter?: string;
}

/**
 * CSV rows through csv-stringify: one row per record (`\n` terminated), the
 * chosen columns in order, fields quoted when they hold the delimiter, a
 * quote or a line break; objects and arrays in a field are written as JSON.
 * With `header: true` every part file starts with the header line.
 * Options are checked when the encoder is made (`checkCsvOptions`).
 */
export function csvEncoder<T>(options: CsvEncoderOptions): Encoder<T> {
  checkCsvOptions(options);
  const columns: (string | ColumnOption)[] = options.columns.map((column) => (typeof column === 'string' ? column : { key: column.key, header: column.header ?? column.key }));
  const settings = {
    columns,
    delimiter: options.delimiter ?? ',',
    record_delimiter: '\n',
    cast: { object: (value: object): string => JSON.stringify(value) },
  } as const;
  const header = stringify([], { ...settings, header: true });
  return {
    encode: (record: T): string => stringify([record as unknown as Record<string, unknown>], settings),
    ...(options.header === true ? { header: () => header } : {}),
  };
}

/** Throws a TypeError naming the option that is wrong. */
export function checkCsvOptions(options: CsvEncoderOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('CSV options are missing: give at least { columns: [...] }');
  const { columns, delimiter, header } = options;
  if (!Array.isArray(columns) || columns.length === 0) throw new TypeError('CSV option "columns" must list at least one column (a property name, or { key, header })');
  columns.forEach((column: unknown, i) => {
    const key = typeof column === 'string' ? column : (column as { key?: unknown } | null)?.key;
    if (typeof key !== 'string' || key === '') throw new TypeError(`CSV option "columns"[${i}] is ${JSON.stringify(column)}: a column is a property name or { key, header }`);
    const title = typeof column === 'object' ? (column as { header?: unknown }).header : undefined;
    if (title !== undefined && typeof title !== 'string') throw new TypeError(`CSV option "columns"[${i}].header must be a string`);
  });
  if (delimiter !== undefined && (typeof delimiter !== 'string' || delimiter === '' || /["\r\n]/.test(delimiter))) {
    throw new TypeError(`CSV option "delimiter" ${JSON.stringify(delimiter)} must be a non-empty string without quotes or line breaks`);
  }
  if (header !== undefined && typeof header !== 'boolean') throw new TypeError('CSV option "header" must be true or false');
}
