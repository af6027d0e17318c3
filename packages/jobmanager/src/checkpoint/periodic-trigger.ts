/**
 * The periodic trigger timer (execution.checkpointing.interval).
 *
 * Contract: while active, at most one tick is armed. A tick asks for a
 * periodic checkpoint; the next tick is armed only when a periodic request
 * actually starts (`rearm`), one interval later — so a request held back by
 * max-concurrent or min-pause delays the schedule instead of piling up ticks.
 */
import type { Cancellable, CheckpointTimers } from './checkpoint-timers.js';

export class PeriodicTrigger {
  private timer: Cancellable | undefined;
  private active = false;

  constructor(
    private readonly timers: CheckpointTimers,
    private readonly intervalMs: number | null,
    private readonly onTick: () => void,
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  /** Starts ticking, the first tick after `initialDelayMs`; no-op when disabled (no interval) or active. */
  start(initialDelayMs: number): void {
    if (this.intervalMs === null || this.active) return;
    this.active = true;
    this.arm(initialDelayMs);
  }

  stop(): void {
    this.active = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** A periodic request started now: the next tick is one interval away. */
  rearm(): void {
    if (this.active && this.intervalMs !== null) this.arm(this.intervalMs);
  }

  private arm(delayMs: number): void {
    this.timer?.cancel();
    this.timer = this.timers.schedule(delayMs, () => {
      this.timer = undefined;
      if (this.active) this.onTick();
    });
  }
}
