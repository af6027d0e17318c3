/**
 * The checkpoint options of one job, resolved once from its configuration
 * (cluster keys overridden by the job's `--set`) into an immutable form.
 * Names and defaults are Flink's; docs/checkpointing.md explains each.
 */
import { ConfigurationError, type Configuration } from '@rivulet/common';

export type CheckpointingMode = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';

/** Flink's ExternalizedCheckpointRetention: what happens to retained checkpoints when the job ends. */
export type ExternalizedCheckpointRetention =
  | 'NO_EXTERNALIZED_CHECKPOINTS'
  | 'DELETE_ON_CANCELLATION'
  | 'RETAIN_ON_CANCELLATION';

export interface CheckpointCoordinatorConfiguration {
  /** Periodic trigger interval; null disables periodic checkpoints (savepoints still work). */
  readonly intervalMs: number | null;
  readonly timeoutMs: number;
  readonly minPauseMs: number;
  readonly maxConcurrentCheckpoints: number;
  readonly tolerableFailedCheckpoints: number;
  readonly mode: CheckpointingMode;
  /** execution.checkpointing.unaligned.enabled: barriers of checkpoints overtake in-flight records (EXACTLY_ONCE only). */
  readonly unaligned: boolean;
  readonly numRetained: number;
  readonly externalizedRetention: ExternalizedCheckpointRetention;
  /** Recent checkpoints kept for statistics (`web.checkpoints.history`). */
  readonly historySize: number;
}

/** Flink's lower bound for the interval and the timeout. */
export const MINIMAL_CHECKPOINT_TIME_MS = 10;

export type CheckpointConfigKeys =
  | 'execution.checkpointing.interval'
  | 'execution.checkpointing.timeout'
  | 'execution.checkpointing.min-pause'
  | 'execution.checkpointing.max-concurrent-checkpoints'
  | 'execution.checkpointing.tolerable-failed-checkpoints'
  | 'execution.checkpointing.mode'
  | 'execution.checkpointing.unaligned.enabled'
  | 'execution.checkpointing.num-retained'
  | 'execution.checkpointing.externalized-checkpoint-retention'
  | 'web.checkpoints.history';

/** Throws ConfigurationError naming the key when a value is out of the range Flink accepts. */
export function resolveCheckpointConfiguration(
  config: Pick<Configuration, CheckpointConfigKeys>,
): CheckpointCoordinatorConfiguration {
  const interval = config['execution.checkpointing.interval'];
  if (interval !== null && interval < MINIMAL_CHECKPOINT_TIME_MS) {
    throw new ConfigurationError(
      `"execution.checkpointing.interval" must be at least ${MINIMAL_CHECKPOINT_TIME_MS} ms (or unset to disable checkpointing), got ${interval} ms`,
      { key: 'execution.checkpointing.interval' },
    );
  }
  const timeout = config['execution.checkpointing.timeout'];
  if (timeout < MINIMAL_CHECKPOINT_TIME_MS) {
    throw new ConfigurationError(
      `"execution.checkpointing.timeout" must be at least ${MINIMAL_CHECKPOINT_TIME_MS} ms, got ${timeout} ms`,
      { key: 'execution.checkpointing.timeout' },
    );
  }
  const unaligned = config['execution.checkpointing.unaligned.enabled'];
  if (unaligned && config['execution.checkpointing.mode'] !== 'EXACTLY_ONCE') {
    throw new ConfigurationError(
      `"execution.checkpointing.unaligned.enabled" needs "execution.checkpointing.mode" EXACTLY_ONCE, got ${config['execution.checkpointing.mode']} (AT_LEAST_ONCE never aligns, so there is nothing to unalign)`,
      { key: 'execution.checkpointing.unaligned.enabled' },
    );
  }
  return Object.freeze({
    intervalMs: interval,
    unaligned,
    timeoutMs: timeout,
    minPauseMs: config['execution.checkpointing.min-pause'],
    maxConcurrentCheckpoints: config['execution.checkpointing.max-concurrent-checkpoints'],
    tolerableFailedCheckpoints: config['execution.checkpointing.tolerable-failed-checkpoints'],
    mode: config['execution.checkpointing.mode'],
    numRetained: config['execution.checkpointing.num-retained'],
    externalizedRetention: config['execution.checkpointing.externalized-checkpoint-retention'],
    historySize: config['web.checkpoints.history'],
  });
}
