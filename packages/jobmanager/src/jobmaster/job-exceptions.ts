import type { JobFailure } from './job-details.js';

/** Entries `GET /jobs/:id/exceptions` returns, newest first (Flink's web.exception-history-size default). */
export const EXCEPTION_HISTORY_SIZE = 16;

/**
 * The JSON of `GET /jobs/:id/exceptions`, in Flink's shape: `root-exception`
 * and `timestamp` of the newest failure, `exceptionHistory.entries` newest
 * first (`exceptionName`, `stacktrace`, `timestamp`, `taskName`,
 * `location`), `truncated` when older entries were left out. `stacktrace`
 * holds the failure as reported (for a task: the error with its stack).
 */
export function jobExceptionsJson(failures: readonly JobFailure[], size = EXCEPTION_HISTORY_SIZE): Record<string, unknown> {
  const newestFirst = [...failures].reverse();
  const entries = newestFirst.slice(0, size).map((f) => ({
    exceptionName: exceptionNameOf(f.message),
    stacktrace: f.message,
    timestamp: f.timestamp,
    taskName: f.task,
    location: f.location,
    cause: f.cause,
  }));
  const root = newestFirst[0];
  return {
    'root-exception': root?.message ?? null,
    timestamp: root?.timestamp ?? null,
    exceptionHistory: { entries, truncated: newestFirst.length > size },
  };
}

/** "TypeError: boom\n at …" -> "TypeError"; a failure without an error name -> "Failure". */
function exceptionNameOf(message: string): string {
  const match = /^[A-Za-z0-9_]*(?:Error|Exception)\b/.exec(message);
  return match?.[0] ?? 'Failure';
}
