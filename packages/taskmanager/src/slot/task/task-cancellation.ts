import { TaskCancelledError } from './task-report.js';

/**
 * How a task stops from outside its loop: cancelled (the JobManager's
 * cancel, a failover), or failed by something beside the loop (a commit on a
 * checkpoint notification). The loop checks between batches and races every
 * wait against it, so a waiting task ends at once.
 */
export class TaskCancellation {
  private readonly abort = new AbortController();
  private externalFailure: Error | undefined;

  /** Fires when the task is cancelled or failed from outside, with that reason. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get cancelled(): boolean {
    return this.abort.signal.aborted;
  }

  /** The error the task was failed with from outside its loop, if any. */
  get failure(): Error | undefined {
    return this.externalFailure;
  }

  cancel(): void {
    this.abort.abort(new TaskCancelledError());
  }

  fail(err: unknown): void {
    this.externalFailure ??= err instanceof Error ? err : new Error(String(err));
    this.abort.abort(this.externalFailure);
  }

  throwIfCancelled(): void {
    if (this.cancelled) throw this.abort.signal.reason;
  }

  /** Waits for `promise`, or rejects as soon as the task is cancelled or failed. */
  race<T>(promise: Promise<T>): Promise<T> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }
}
