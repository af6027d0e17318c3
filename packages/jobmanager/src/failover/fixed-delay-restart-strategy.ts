import { formatDuration } from '@rivulet/common';
import type { RestartStrategy } from './restart-strategy.js';

export interface FixedDelayOptions {
  /** Restarts allowed over the life of the job (0: none). */
  readonly attempts: number;
  readonly delayMs: number;
}

/**
 * Restarts at most `attempts` times, each after `delayMs` (Flink's
 * FixedDelayRestartBackoffTimeStrategy): the n-th failure may restart while
 * n <= attempts, so attempts 2 fails the job at the 3rd failure. The count
 * never resets.
 */
export class FixedDelayRestartStrategy implements RestartStrategy {
  readonly description: string;
  private failures = 0;

  constructor(private readonly options: FixedDelayOptions) {
    this.description = `fixed-delay (${plural(options.attempts, 'attempt')}, delay ${formatDuration(options.delayMs)})`;
  }

  notifyFailure(_now: number): void {
    this.failures++;
  }

  canRestart(): boolean {
    return this.failures <= this.options.attempts;
  }

  refusal(): string {
    if (this.canRestart()) return '';
    const { attempts } = this.options;
    return attempts === 0
      ? 'fixed-delay: no restart attempts allowed (restart-strategy.fixed-delay.attempts is 0)'
      : `fixed-delay: all ${plural(attempts, 'restart attempt')} used`;
  }

  getBackoffTime(): number {
    return this.options.delayMs;
  }
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
