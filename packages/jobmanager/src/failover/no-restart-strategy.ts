import type { RestartStrategy } from './restart-strategy.js';

/** Never restarts: the first failure fails the job (Flink's NoRestartBackoffTimeStrategy). */
export class NoRestartStrategy implements RestartStrategy {
  readonly description = 'none';

  /** @param why why restarts are off, e.g. "restart-strategy.type is none". */
  constructor(private readonly why: string) {}

  notifyFailure(_now: number): void {}

  canRestart(): boolean {
    return false;
  }

  refusal(): string {
    return `none: restarts are disabled (${this.why})`;
  }

  getBackoffTime(): number {
    return 0;
  }
}
