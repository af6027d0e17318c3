/** A deployment or documentation file that the metrics checks read is malformed. */
export class MetricsFileError extends Error {
  override readonly name = 'MetricsFileError';
  /** The file that is wrong, as given by the caller. */
  readonly file: string;
  /** 1-based line, when the culprit is one line. */
  readonly line: number | undefined;

  constructor(file: string, message: string, details: { line?: number; cause?: unknown } = {}) {
    super(`${file}${details.line === undefined ? '' : `:${details.line}`}: ${message}`, { cause: details.cause });
    this.file = file;
    this.line = details.line;
  }
}
