import { CONFIG_OPTIONS, ConfigurationError, type ConfigKey, type Configuration } from '@rivulet/common';
import { ExponentialDelayRestartStrategy } from './exponential-delay-restart-strategy.js';
import { FailureRateRestartStrategy } from './failure-rate-restart-strategy.js';
import { FixedDelayRestartStrategy } from './fixed-delay-restart-strategy.js';
import { NoRestartStrategy } from './no-restart-strategy.js';

/**
 * Decides whether and when a failed job restarts (Flink's
 * RestartBackoffTimeStrategy). Which tasks restart is the failover strategy's
 * business (see PipelinedRegions). Implementations are pure: time comes in
 * only through `notifyFailure(now)`, randomness only through an injected
 * `random`, and they schedule nothing themselves.
 */
export interface RestartStrategy {
  /** e.g. "fixed-delay (2 attempts, delay 1 s)" — for logs and `rivulet status`. */
  readonly description: string;
  /** Records one failure at `now` (ms on the caller's clock). Call once per failure, before the two below. */
  notifyFailure(now: number): void;
  /** Whether the job may restart after the failures recorded so far. */
  canRestart(): boolean;
  /** Why it may not (when canRestart() is false), e.g. "fixed-delay: all 2 restart attempts used"; '' while canRestart(). */
  refusal(): string;
  /** Milliseconds to wait before the restart (valid when canRestart()). */
  getBackoffTime(): number;
}

/** The keys `createRestartStrategy` reads. */
export type RestartStrategyKey = Extract<ConfigKey, `restart-strategy.${string}`>;

/** The part of the configuration a restart strategy is built from (a whole `Configuration` fits). */
export type RestartStrategyConfig = Pick<Configuration, RestartStrategyKey>;

/**
 * Builds the strategy `restart-strategy.type` names. Unset, it is
 * exponential-delay with the *default* values of its options when
 * checkpointing is enabled (as Flink does: the exponential-delay keys only
 * apply when the type is set explicitly), and none otherwise.
 * Throws a `ConfigurationError` when initial-backoff exceeds max-backoff.
 */
export function createRestartStrategy(
  config: RestartStrategyConfig,
  checkpointingEnabled: boolean,
  random: () => number = Math.random,
): RestartStrategy {
  switch (config['restart-strategy.type']) {
    case 'none':
      return new NoRestartStrategy('restart-strategy.type is none');
    case 'fixed-delay':
      return new FixedDelayRestartStrategy({
        attempts: config['restart-strategy.fixed-delay.attempts'],
        delayMs: config['restart-strategy.fixed-delay.delay'],
      });
    case 'failure-rate':
      return new FailureRateRestartStrategy({
        maxFailuresPerInterval: config['restart-strategy.failure-rate.max-failures-per-interval'],
        intervalMs: config['restart-strategy.failure-rate.failure-rate-interval'],
        delayMs: config['restart-strategy.failure-rate.delay'],
      });
    case 'exponential-delay':
      return exponentialDelay(config, random);
    case null:
      return checkpointingEnabled
        ? exponentialDelay(exponentialDelayDefaults(), random)
        : new NoRestartStrategy('checkpointing is disabled and restart-strategy.type is unset');
  }
}

type ExponentialDelayKey = Extract<RestartStrategyKey, `restart-strategy.exponential-delay.${string}`>;

function exponentialDelay(config: Pick<Configuration, ExponentialDelayKey>, random: () => number): RestartStrategy {
  const initialBackoffMs = config['restart-strategy.exponential-delay.initial-backoff'];
  const maxBackoffMs = config['restart-strategy.exponential-delay.max-backoff'];
  if (initialBackoffMs > maxBackoffMs) {
    throw new ConfigurationError(
      `"restart-strategy.exponential-delay.initial-backoff" (${initialBackoffMs} ms) must not exceed "restart-strategy.exponential-delay.max-backoff" (${maxBackoffMs} ms)`,
      { key: 'restart-strategy.exponential-delay.initial-backoff' },
    );
  }
  return new ExponentialDelayRestartStrategy({
    initialBackoffMs,
    maxBackoffMs,
    backoffMultiplier: config['restart-strategy.exponential-delay.backoff-multiplier'],
    resetBackoffThresholdMs: config['restart-strategy.exponential-delay.reset-backoff-threshold'],
    jitterFactor: config['restart-strategy.exponential-delay.jitter-factor'],
    attemptsBeforeResetBackoff: config['restart-strategy.exponential-delay.attempts-before-reset-backoff'],
    random,
  });
}

function exponentialDelayDefaults(): Pick<Configuration, ExponentialDelayKey> {
  return {
    'restart-strategy.exponential-delay.initial-backoff': CONFIG_OPTIONS['restart-strategy.exponential-delay.initial-backoff'].default,
    'restart-strategy.exponential-delay.max-backoff': CONFIG_OPTIONS['restart-strategy.exponential-delay.max-backoff'].default,
    'restart-strategy.exponential-delay.backoff-multiplier': CONFIG_OPTIONS['restart-strategy.exponential-delay.backoff-multiplier'].default,
    'restart-strategy.exponential-delay.reset-backoff-threshold': CONFIG_OPTIONS['restart-strategy.exponential-delay.reset-backoff-threshold'].default,
    'restart-strategy.exponential-delay.jitter-factor': CONFIG_OPTIONS['restart-strategy.exponential-delay.jitter-factor'].default,
    'restart-strategy.exponential-delay.attempts-before-reset-backoff':
      CONFIG_OPTIONS['restart-strategy.exponential-delay.attempts-before-reset-backoff'].default,
  };
}
