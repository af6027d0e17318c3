/**
 * Where a task's time goes, as Flink's busyTimeMsPerSecond /
 * idleTimeMsPerSecond / backPressuredTimeMsPerSecond: idle while it waits
 * for input (or, at a source, for a trigger after its data ended),
 * back-pressured while it waits for room in an output, busy otherwise.
 * `sample()` returns the milliseconds of each since the previous sample.
 */
export class TaskTime {
  private state: 'busy' | 'idle' | 'backPressured' = 'busy';
  private since = performance.now();
  private busy = 0;
  private idle = 0;
  private backPressured = 0;
  private sampledAt = performance.now();

  /** Waits for `promise` counted as idle time. */
  idleWhile<T>(promise: Promise<T>): Promise<T> {
    return this.during('idle', promise);
  }

  /** Waits for `promise` counted as back-pressured time. */
  backPressuredWhile<T>(promise: Promise<T>): Promise<T> {
    return this.during('backPressured', promise);
  }

  sample(): { busyMs: number; idleMs: number; backPressuredMs: number; intervalMs: number } {
    this.switchTo(this.state);
    const now = performance.now();
    const result = { busyMs: this.busy, idleMs: this.idle, backPressuredMs: this.backPressured, intervalMs: now - this.sampledAt };
    this.busy = 0;
    this.idle = 0;
    this.backPressured = 0;
    this.sampledAt = now;
    return result;
  }

  private async during<T>(state: 'idle' | 'backPressured', promise: Promise<T>): Promise<T> {
    this.switchTo(state);
    try {
      return await promise;
    } finally {
      this.switchTo('busy');
    }
  }

  private switchTo(state: 'busy' | 'idle' | 'backPressured'): void {
    const now = performance.now();
    const elapsed = now - this.since;
    if (this.state === 'busy') this.busy += elapsed;
    else if (this.state === 'idle') this.idle += elapsed;
    else this.backPressured += elapsed;
    this.state = state;
    this.since = now;
  }
}
