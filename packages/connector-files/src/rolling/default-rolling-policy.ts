import type { PartFileInfo, RollingPolicy } from './rolling-policy.js';

/** Flink's defaults: 128 MiB, 60 s, 60 s. */
export const DEFAULT_MAX_PART_SIZE = 128 * 1024 * 1024;
export const DEFAULT_ROLLOVER_INTERVAL_MS = 60_000;
export const DEFAULT_INACTIVITY_INTERVAL_MS = 60_000;

export interface DefaultRollingPolicySettings {
  /** Bytes above which a part file rolls (checked before each record is written). */
  readonly maxPartSize: number;
  /** How long (ms) a part file may stay open. */
  readonly rolloverInterval: number;
  /** How long (ms) a part file may go without a record. */
  readonly inactivityInterval: number;
}

/**
 * Flink's DefaultRollingPolicy: a part file rolls when it is larger than
 * `maxPartSize` before a record is written to it (so a file ends up at most
 * one record above it), or, at a bucket check, when it was opened
 * `rolloverInterval` ago or more, or got no record for `inactivityInterval`
 * or more. Built with `DefaultRollingPolicy.builder()…build()`; every value
 * must be a positive whole number (a TypeError names the one that is not).
 */
export class DefaultRollingPolicy<T = unknown> implements RollingPolicy<T> {
  private constructor(readonly settings: DefaultRollingPolicySettings) {}

  static builder(): DefaultRollingPolicyBuilder {
    return new DefaultRollingPolicyBuilder({
      maxPartSize: DEFAULT_MAX_PART_SIZE,
      rolloverInterval: DEFAULT_ROLLOVER_INTERVAL_MS,
      inactivityInterval: DEFAULT_INACTIVITY_INTERVAL_MS,
    });
  }

  /** @internal the builder's */
  static of<T>(settings: DefaultRollingPolicySettings): DefaultRollingPolicy<T> {
    return new DefaultRollingPolicy<T>(settings);
  }

  shouldRollOnEvent(partFile: PartFileInfo): boolean {
    return partFile.size > this.settings.maxPartSize;
  }

  shouldRollOnProcessingTime(partFile: PartFileInfo, currentTime: number): boolean {
    return currentTime - partFile.creationTime >= this.settings.rolloverInterval || currentTime - partFile.lastUpdateTime >= this.settings.inactivityInterval;
  }
}

export class DefaultRollingPolicyBuilder {
  constructor(private readonly settings: DefaultRollingPolicySettings) {}

  /** Bytes, default 128 MiB. */
  withMaxPartSize(bytes: number): DefaultRollingPolicyBuilder {
    return new DefaultRollingPolicyBuilder({ ...this.settings, maxPartSize: positive('withMaxPartSize', bytes, 'bytes') });
  }

  /** Milliseconds, default 60,000. */
  withRolloverInterval(ms: number): DefaultRollingPolicyBuilder {
    return new DefaultRollingPolicyBuilder({ ...this.settings, rolloverInterval: positive('withRolloverInterval', ms, 'ms') });
  }

  /** Milliseconds, default 60,000. */
  withInactivityInterval(ms: number): DefaultRollingPolicyBuilder {
    return new DefaultRollingPolicyBuilder({ ...this.settings, inactivityInterval: positive('withInactivityInterval', ms, 'ms') });
  }

  build<T = unknown>(): DefaultRollingPolicy<T> {
    return DefaultRollingPolicy.of<T>(this.settings);
  }
}

function positive(setting: string, value: number, unit: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`DefaultRollingPolicy.${setting}(${String(value)}): must be a positive whole number of ${unit}`);
  }
  return value;
}
