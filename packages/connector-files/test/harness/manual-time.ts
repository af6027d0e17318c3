import type { ProcessingTimeService } from '../../src/index.js';

/**
 * A processing-time service for tests: time moves only by `advance`, which
 * fires the bucket checks due in between (each at its time, in order).
 */
export class ManualTime implements ProcessingTimeService {
  private current: number;
  private readonly timers = new Set<{ intervalMs: number; nextAt: number; callback: () => void }>();

  constructor(start = Date.UTC(2024, 4, 6, 10, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  every(intervalMs: number, callback: () => void): () => void {
    const timer = { intervalMs, nextAt: this.current + intervalMs, callback };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  get activeTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing due timers; then lets their queued work settle. */
  async advance(ms: number): Promise<void> {
    const until = this.current + ms;
    for (;;) {
      const due = [...this.timers].filter((t) => t.nextAt <= until).sort((a, b) => a.nextAt - b.nextAt)[0];
      if (due === undefined) break;
      this.current = due.nextAt;
      due.nextAt += due.intervalMs;
      due.callback();
    }
    this.current = until;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
