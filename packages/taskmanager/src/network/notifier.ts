/**
 * Wake-ups for `whenAvailable()`-style waits. `wait()` returns a promise that
 * the next `notify()` resolves; callers re-check their condition after waking
 * (a wake-up is a hint, never a guarantee that data is there).
 */
export class Notifier {
  private pending: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;

  wait(): Promise<void> {
    if (this.pending === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.pending = { promise, resolve };
    }
    return this.pending.promise;
  }

  notify(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    pending.resolve();
  }
}

/**
 * A promise settled once, whose rejection never counts as unhandled: callers
 * that never ask for it must not crash the process when it fails.
 */
export class Outcome {
  readonly promise: Promise<void>;
  private settled = false;
  private resolveFn!: () => void;
  private rejectFn!: (error: Error) => void;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    this.promise.catch(() => undefined);
  }

  get isSettled(): boolean {
    return this.settled;
  }

  resolve(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn();
  }

  reject(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(error);
  }
}
