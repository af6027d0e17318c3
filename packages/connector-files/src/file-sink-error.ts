/**
 * An error of a FileSink. Its message names the sink by its base path, then
 * what failed: `FileSink (s3://results/daily): bucket "results" does not exist
 * (HTTP 404 NoSuchBucket: …)`. Bad options fail when the sink is built (in the
 * job's main, before submission); storage failures fail the writer or the
 * committer, so the task fails and the job restarts per its restart strategy.
 */
export class FileSinkError extends Error {
  override readonly name = 'FileSinkError';

  constructor(sink: string, what: string, options?: { cause?: unknown }) {
    super(`FileSink (${sink}): ${what}`, options);
  }
}

/** The message of whatever was thrown. */
export function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
