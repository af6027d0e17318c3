import { Backoff, sleep } from '../time/abortable.js';
import type { CallBudget } from './call-budget.js';
import { CheckpointStorageError, type StorageErrorCode, type StorageOperation } from './errors.js';

/**
 * Runs one storage call as attempts under a CallBudget. Contract:
 * - a final failure is thrown at once (after one attempt);
 * - a transient failure is retried after an exponential backoff with jitter
 *   (`initialBackoffMs` doubling up to `maxBackoffMs`), as long as the budget's
 *   deadline has not passed; the last backoff is cut to end at the deadline
 *   and one more attempt runs then, aborted by it if it hangs;
 * - when the deadline passes, the error is UNAVAILABLE if any attempt failed
 *   transiently (naming the last failure and the attempt count), else TIMEOUT;
 * - when the caller aborts, the error is ABORTED, at once;
 * - `attempts` in errors counts requests: an attempt in which the client
 *   itself retried (`insideAttempt`) counts as the requests it made.
 */
export interface RetryFailure {
  readonly transient: boolean;
  readonly code: StorageErrorCode;
  readonly detail: string;
}

export interface RetryContext {
  readonly operation: StorageOperation;
  readonly uri: string;
  readonly budget: CallBudget;
  /** Says where the calls go, for messages: `S3 endpoint http://minio:9000`. */
  readonly target: string;
  /** Names the setting that bounds the call, for messages: `s3.retry.deadline`. */
  readonly deadlineSetting: string;
  readonly classify: (err: unknown) => RetryFailure;
  /**
   * For a client that retries inside an attempt (the AWS SDK): what the attempt
   * that just failed did inside — the requests it sent and how each failed one
   * failed. The requests count in `attempts`; the failures are classified like
   * the attempt's own, so an attempt cut by the deadline in the middle of the
   * client's retries still reports their last transient failure (UNAVAILABLE,
   * not TIMEOUT). Default: one request, no failures but the attempt's.
   */
  readonly insideAttempt?: () => { readonly requests: number; readonly failures: readonly unknown[] };
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly onRetry?: (info: { attempt: number; delayMs: number; failure: RetryFailure }) => void;
}

export async function withRetries<T>(context: RetryContext, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { budget, operation, uri } = context;
  const backoff = new Backoff(context.initialBackoffMs ?? 100, context.maxBackoffMs ?? 5000);
  let attempts = 0;
  let lastTransient: { failure: RetryFailure; cause: unknown } | null = null;
  for (;;) {
    attempts += 1;
    try {
      budget.signal.throwIfAborted();
      return await attempt(budget.signal);
    } catch (err) {
      const inside = context.insideAttempt?.();
      attempts += Math.max(1, inside?.requests ?? 1) - 1;
      for (const failed of inside?.failures ?? []) {
        const failure = context.classify(failed);
        if (failure.transient) lastTransient = { failure, cause: failed };
      }
      if (err instanceof CheckpointStorageError) throw err;
      if (budget.abortedBy !== null) throw stopped(context, attempts, lastTransient, err);
      const failure = context.classify(err);
      if (!failure.transient) {
        throw new CheckpointStorageError(failure.code, operation, uri, failure.detail, { cause: err, attempts });
      }
      lastTransient = { failure, cause: err };
      const delayMs = Math.min(backoff.next(), budget.remainingMs);
      context.onRetry?.({ attempt: attempts, delayMs, failure });
      try {
        await sleep(delayMs, budget.signal);
      } catch {
        throw stopped(context, attempts, lastTransient, err);
      }
    }
  }
}

function stopped(
  context: RetryContext,
  attempts: number,
  lastTransient: { failure: RetryFailure; cause: unknown } | null,
  err: unknown,
): CheckpointStorageError {
  const { budget, operation, uri } = context;
  if (budget.abortedBy === 'caller') {
    return new CheckpointStorageError('ABORTED', operation, uri, `aborted by the caller after ${attempts} attempt(s)`, { cause: err, attempts });
  }
  const seconds = (budget.elapsedMs / 1000).toFixed(1);
  const bound = `deadline ${budget.deadlineMs} ms, ${context.deadlineSetting}`;
  if (lastTransient !== null) {
    return new CheckpointStorageError(
      'UNAVAILABLE',
      operation,
      uri,
      `${context.target} unavailable: gave up after ${attempts} attempt(s) in ${seconds} s (${bound}); last error: ${lastTransient.failure.detail}`,
      { cause: lastTransient.cause, attempts },
    );
  }
  return new CheckpointStorageError('TIMEOUT', operation, uri, `${context.target} did not answer within ${seconds} s (${bound})`, {
    cause: err,
    attempts,
  });
}
