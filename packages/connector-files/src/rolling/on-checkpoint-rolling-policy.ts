import type { RollingPolicy } from './rolling-policy.js';

/**
 * Flink's OnCheckpointRollingPolicy: part files roll only at checkpoints
 * (and at the end of input), never on size or time: one file per bucket,
 * writer and checkpoint.
 */
export class OnCheckpointRollingPolicy<T = unknown> implements RollingPolicy<T> {
  private constructor() {}

  static build<T = unknown>(): OnCheckpointRollingPolicy<T> {
    return new OnCheckpointRollingPolicy<T>();
  }

  shouldRollOnEvent(): boolean {
    return false;
  }

  shouldRollOnProcessingTime(): boolean {
    return false;
  }
}
