/**
 * Runs a writer's operations one at a time, in call order. An operation
 * that completes synchronously while nothing is pending costs no promise;
 * one that returns a promise, or is queued behind one, keeps the queue busy
 * until it settles. The first failure breaks the queue: every later `run`
 * and `idle` throws it (the writer is broken and its task fails).
 */
export class SerialQueue {
  private tail: Promise<void> | undefined;
  private failure: { readonly error: unknown } | undefined;

  run(operation: () => void | Promise<void>): void | Promise<void> {
    this.throwIfFailed();
    if (this.tail !== undefined) return this.track(this.tail.then(operation));
    let result: void | Promise<void>;
    try {
      result = operation();
    } catch (err) {
      this.failure ??= { error: err };
      throw err;
    }
    if (result !== undefined) return this.track(result);
  }

  /** Resolves once nothing is pending; rejects with the failure, if any. */
  async idle(): Promise<void> {
    while (this.tail !== undefined) await this.tail;
    this.throwIfFailed();
  }

  private track(promise: Promise<void>): Promise<void> {
    const tracked: Promise<void> = promise.then(
      () => {
        if (this.tail === tracked) this.tail = undefined;
      },
      (err: unknown) => {
        this.failure ??= { error: err };
        if (this.tail === tracked) this.tail = undefined;
        throw err;
      },
    );
    this.tail = tracked;
    return tracked;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
