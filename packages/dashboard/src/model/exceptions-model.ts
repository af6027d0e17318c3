import { formatTimestamp } from './format.js';
import type { ExceptionsResponse } from './rest-types.js';

export interface ExceptionRow {
  readonly key: string;
  readonly name: string;
  /** The first line of the failure: what a person reads first. */
  readonly summary: string;
  readonly stacktrace: string;
  readonly time: string;
  readonly task: string;
  readonly location: string;
  /** What kind of failure: task, taskmanager-lost, deploy, checkpointing, slots. */
  readonly cause: string;
}

export interface ExceptionsModel {
  readonly root: string | null;
  readonly rows: readonly ExceptionRow[];
  readonly truncated: boolean;
}

/** `GET /jobs/:id/exceptions` -> the exceptions tab, newest first. */
export function exceptionsModel(response: ExceptionsResponse): ExceptionsModel {
  return {
    root: response['root-exception'],
    truncated: response.exceptionHistory.truncated,
    rows: response.exceptionHistory.entries.map((entry, i) => ({
      key: `${entry.timestamp}-${i}`,
      name: entry.exceptionName,
      summary: entry.stacktrace.split('\n')[0] ?? '',
      stacktrace: entry.stacktrace,
      time: formatTimestamp(entry.timestamp),
      task: entry.taskName ?? 'the job',
      location: entry.location ?? '—',
      cause: entry.cause ?? 'task',
    })),
  };
}
