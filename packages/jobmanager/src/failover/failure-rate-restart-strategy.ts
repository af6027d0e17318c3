import { formatDuration } from '@rivulet/common';
import type { RestartStrategy } from './restart-strategy.js';
import { plural } from './fixed-delay-restart-strategy.js';

export interface FailureRateOptions {
  /** Failures within one interval that still restart (at least 1). */
  readonly maxFailuresPerInterval: number;
  readonly intervalMs: number;
  readonly delayMs: number;
}

/**
 * Restarts after `delayMs` unless the failure rate is exceeded (Flink's
 * FailureRateRestartBackoffTimeStrategy): it keeps the times of the last
 * maxFailuresPerInterval + 1 failures and refuses when all of them lie within
 * `intervalMs` of the newest (newest - oldest <= interval). Failures spaced
 * further apart restart forever.
 */
export class FailureRateRestartStrategy implements RestartStrategy {
  readonly description: string;
  /** Times of the last maxFailuresPerInterval + 1 failures, oldest first. */
  private readonly failureTimes: number[] = [];

  constructor(private readonly options: FailureRateOptions) {
    this.description =
      `failure-rate (${plural(options.maxFailuresPerInterval, 'failure')} per ${formatDuration(options.intervalMs)}, ` +
      `delay ${formatDuration(options.delayMs)})`;
  }

  notifyFailure(now: number): void {
    if (this.isWindowFull()) this.failureTimes.shift();
    this.failureTimes.push(now);
  }

  canRestart(): boolean {
    if (!this.isWindowFull()) return true;
    const oldest = this.failureTimes[0]!;
    const newest = this.failureTimes[this.failureTimes.length - 1]!;
    return newest - oldest > this.options.intervalMs;
  }

  refusal(): string {
    if (this.canRestart()) return '';
    const { maxFailuresPerInterval, intervalMs } = this.options;
    return (
      `failure-rate: ${plural(this.failureTimes.length, 'failure')} within ${formatDuration(intervalMs)} ` +
      `(at most ${maxFailuresPerInterval} allowed per interval)`
    );
  }

  getBackoffTime(): number {
    return this.options.delayMs;
  }

  private isWindowFull(): boolean {
    return this.failureTimes.length > this.options.maxFailuresPerInterval;
  }
}
