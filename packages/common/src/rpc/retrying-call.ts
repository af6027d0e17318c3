import * as grpc from '@grpc/grpc-js';
import { UnreachableError } from '../errors.js';
import { Backoff, sleep } from '../time/abortable.js';
import { callUnary, type CallOptions } from './calls.js';

export interface RetryingCallOptions extends CallOptions {
  /** Bound on all attempts together, milliseconds from now. */
  readonly deadlineMs: number;
  /**
   * Also retry when the peer did not answer within `timeoutMs`. Only for
   * calls that may safely run twice (cancel, notify, release); a deployment
   * or trigger that timed out may have happened, so it fails instead.
   */
  readonly retryOnTimeout?: boolean;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/**
 * `callUnary` with retries: a transient failure — the peer unreachable
 * (connection refused or reset, gRPC UNAVAILABLE), or with `retryOnTimeout`
 * no answer in time — is retried with exponential backoff (50 ms up to 1 s,
 * jittered) until `deadlineMs` has passed; the error then says how many
 * attempts were made. Anything else (the peer answered with an error:
 * invalid, fenced, not found…) fails at once.
 */
export async function callUnaryWithRetry<C extends grpc.Client, K extends keyof C & string>(
  client: C,
  method: K,
  request: Parameters<typeof callUnary<C, K>>[2],
  options: RetryingCallOptions,
): ReturnType<typeof callUnary<C, K>> {
  const started = Date.now();
  const until = started + options.deadlineMs;
  const backoff = new Backoff(options.initialBackoffMs ?? 50, options.maxBackoffMs ?? 1000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await callUnary(client, method, request, { ...options, timeoutMs: Math.max(1, Math.min(options.timeoutMs, until - Date.now())) });
    } catch (err) {
      const wait = backoff.next();
      if (!isTransient(err, options.retryOnTimeout === true) || options.signal?.aborted) throw err;
      if (Date.now() + wait >= until) {
        throw new UnreachableError(
          (err as UnreachableError).target,
          `${(err as Error).message} (gave up after ${attempt} attempt(s) in ${Date.now() - started} ms)`,
          { cause: err },
        );
      }
      await sleep(wait, options.signal);
    }
  }
}

function isTransient(err: unknown, retryOnTimeout: boolean): boolean {
  if (!(err instanceof UnreachableError)) return false;
  const code = (err.cause as grpc.ServiceError | undefined)?.code;
  return code === grpc.status.UNAVAILABLE || (retryOnTimeout && code === grpc.status.DEADLINE_EXCEEDED);
}
