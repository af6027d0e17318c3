import { IllegalStateError, formatDuration } from '@rivulet/common';
import type { RestartStrategy } from './restart-strategy.js';
import { plural } from './fixed-delay-restart-strategy.js';

export interface ExponentialDelayOptions {
  readonly initialBackoffMs: number;
  /** At least initialBackoffMs. */
  readonly maxBackoffMs: number;
  /** At least 1 (1: a constant backoff). */
  readonly backoffMultiplier: number;
  readonly resetBackoffThresholdMs: number;
  /** In [0, 1]. */
  readonly jitterFactor: number;
  /** Restarts allowed between two backoff resets; null: unbounded. */
  readonly attemptsBeforeResetBackoff: number | null;
  /** Uniform in [0, 1); 1 is accepted and gives the upper extreme. */
  readonly random: () => number;
}

/**
 * Flink's ExponentialDelayRestartBackoffTimeStrategy (1.19+). For the n-th
 * counted failure since the last reset (n = 0, 1, …) the wait is
 *
 *   base = floor(initial-backoff × multiplier^n)
 *   wait = max(initial-backoff, min(base + jitter, max-backoff)),
 *   jitter uniform over the integers in [-floor(base × jitter-factor), +floor(base × jitter-factor)].
 *
 * Invariants:
 * - A failure at or before the pending restart's time (now <= last failure +
 *   its wait) is merged into that restart: it counts no attempt and its wait
 *   is what remains of the pending one.
 * - A failure at least reset-backoff-threshold after the pending restart's
 *   time resets n to 0 (the job ran that long without failing).
 * - With attempts-before-reset-backoff = k, the (k+1)-th counted failure since
 *   the last reset fails the job.
 */
export class ExponentialDelayRestartStrategy implements RestartStrategy {
  readonly description: string;
  private readonly maxAttempts: number;
  /** Counted failures since the last reset. */
  private attempts = 0;
  /** When the pending (or last) restart happens; -Infinity before the first failure. */
  private nextRestartAt = Number.NEGATIVE_INFINITY;
  private lastFailureAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ExponentialDelayOptions) {
    this.maxAttempts = options.attemptsBeforeResetBackoff ?? Number.POSITIVE_INFINITY;
    const attempts = options.attemptsBeforeResetBackoff === null
      ? 'unbounded attempts'
      : `${plural(options.attemptsBeforeResetBackoff, 'attempt')} before reset`;
    this.description =
      `exponential-delay (initial backoff ${formatDuration(options.initialBackoffMs)}, ` +
      `max backoff ${formatDuration(options.maxBackoffMs)}, multiplier ${options.backoffMultiplier}, ` +
      `reset after ${formatDuration(options.resetBackoffThresholdMs)}, jitter ${options.jitterFactor}, ${attempts})`;
  }

  notifyFailure(now: number): void {
    this.lastFailureAt = now;
    if (now <= this.nextRestartAt) return;
    if (now - this.nextRestartAt >= this.options.resetBackoffThresholdMs) this.attempts = 0;
    this.nextRestartAt = now + this.backoffOf(this.attempts);
    this.attempts++;
  }

  canRestart(): boolean {
    return this.attempts <= this.maxAttempts;
  }

  refusal(): string {
    if (this.canRestart()) return '';
    return (
      `exponential-delay: all ${plural(this.maxAttempts, 'restart attempt')} since the last backoff reset used ` +
      `(no ${formatDuration(this.options.resetBackoffThresholdMs)} without a failure in between)`
    );
  }

  getBackoffTime(): number {
    if (this.nextRestartAt === Number.NEGATIVE_INFINITY) {
      throw new IllegalStateError('exponential-delay: getBackoffTime() called before any notifyFailure()');
    }
    return Math.max(0, this.nextRestartAt - this.lastFailureAt);
  }

  private backoffOf(attempt: number): number {
    const { initialBackoffMs, maxBackoffMs, backoffMultiplier } = this.options;
    const base = Math.min(Math.floor(initialBackoffMs * backoffMultiplier ** attempt), Number.MAX_SAFE_INTEGER);
    return Math.max(initialBackoffMs, Math.min(base + this.jitterOf(base), maxBackoffMs));
  }

  /** An integer uniform in [-offset, offset], offset = floor(base × jitter-factor); random() 0 and 1 give the ends. */
  private jitterOf(base: number): number {
    if (this.options.jitterFactor === 0) return 0;
    const offset = Math.floor(base * this.options.jitterFactor);
    const width = 2 * offset + 1;
    return -offset + Math.min(width - 1, Math.max(0, Math.floor(this.options.random() * width)));
  }
}
