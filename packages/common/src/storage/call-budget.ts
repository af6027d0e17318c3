import type { StorageCallOptions } from './checkpoint-storage.js';

/**
 * The time and cancellation budget of one storage call: one AbortSignal that
 * fires when the caller's signal fires or the deadline passes, and which of
 * the two it was. Every attempt, backoff sleep and body read of the call runs
 * under `signal`, so nothing outlives the budget. `dispose()` clears the timer.
 */
export class CallBudget {
  readonly signal: AbortSignal;
  readonly deadlineMs: number | null;
  readonly startedAt = Date.now();
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private reason: 'caller' | 'deadline' | null = null;
  private readonly onCallerAbort = (): void => this.abort('caller');

  constructor(
    private readonly options: StorageCallOptions = {},
    defaultDeadlineMs: number | null = null,
  ) {
    this.signal = this.controller.signal;
    this.deadlineMs = options.deadlineMs ?? defaultDeadlineMs;
    if (options.signal?.aborted) this.abort('caller');
    else options.signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (this.deadlineMs !== null && this.reason === null) {
      this.timer = setTimeout(() => this.abort('deadline'), Math.max(0, this.deadlineMs));
    }
  }

  /** Why `signal` fired, or null while the call may go on. */
  get abortedBy(): 'caller' | 'deadline' | null {
    return this.reason;
  }

  get elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  get remainingMs(): number {
    return this.deadlineMs === null ? Infinity : Math.max(0, this.deadlineMs - this.elapsedMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onCallerAbort);
  }

  private abort(reason: 'caller' | 'deadline'): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.controller.abort(new Error(reason === 'caller' ? 'aborted by the caller' : 'deadline passed'));
  }
}
