/**
 * State time-to-live (Flink's StateTtlConfig): a keyed state entry — a
 * ValueState value, each ListState element, each MapState entry — expires
 * `timeToLive` milliseconds of processing time after it was last written
 * (or, with `OnReadAndWrite`, last read or written).
 *
 * Two ways to write the same configuration: the builder, as in Flink,
 *
 *   StateTtlConfig.newBuilder(60_000).updateTtlOnReadAndWrite().cleanupIncrementally(10, false).build()
 *
 * or a plain object of the same fields, `{ timeToLive: 60_000, updateType: 'OnReadAndWrite' }`.
 * Either goes into a state descriptor's `ttl`. Both are plain data: the
 * runtime reads the fields, never `instanceof` (a job bundle carries its own
 * copy of this package).
 */

/** When an entry's last-access timestamp is set. */
export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';
/** Whether a read may return an entry that expired but was not removed yet. */
export type TtlStateVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

/** Flink's `cleanupIncrementally(cleanupSize, runCleanupForEveryRecord)`. */
export interface IncrementalCleanupOptions {
  /** Entries checked (and removed when expired) per access of the state; ≥ 1. */
  readonly cleanupSize: number;
  /** Also check `cleanupSize` entries for every record the operator processes. */
  readonly runCleanupForEveryRecord: boolean;
}

export interface StateTtlCleanupOptions {
  /**
   * Flink's `cleanupFullSnapshot()`. Rivulet never writes expired entries
   * into a checkpoint or savepoint, whether this is set or not; accepted so
   * Flink code reads the same.
   */
  readonly fullSnapshot?: boolean;
  /** Incremental cleanup; `false` turns it off. Default `{ cleanupSize: 5, runCleanupForEveryRecord: false }` (Flink's default). */
  readonly incremental?: IncrementalCleanupOptions | false;
}

/** The plain-object form of a TTL configuration. */
export interface StateTtlOptions {
  /** Milliseconds of processing time; a positive integer. */
  readonly timeToLive: number;
  /** Default `'OnCreateAndWrite'`. */
  readonly updateType?: TtlUpdateType;
  /** Default `'NeverReturnExpired'`. */
  readonly stateVisibility?: TtlStateVisibility;
  /** Only `'ProcessingTime'` (Flink's only characteristic). */
  readonly timeCharacteristic?: 'ProcessingTime';
  readonly cleanup?: StateTtlCleanupOptions;
}

export const DEFAULT_INCREMENTAL_CLEANUP: IncrementalCleanupOptions = Object.freeze({ cleanupSize: 5, runCleanupForEveryRecord: false });

/** A built TTL configuration: every field set. */
export class StateTtlConfig implements StateTtlOptions {
  static readonly UpdateType = Object.freeze({ OnCreateAndWrite: 'OnCreateAndWrite', OnReadAndWrite: 'OnReadAndWrite' } as const);
  static readonly StateVisibility = Object.freeze({
    NeverReturnExpired: 'NeverReturnExpired',
    ReturnExpiredIfNotCleanedUp: 'ReturnExpiredIfNotCleanedUp',
  } as const);

  readonly timeCharacteristic = 'ProcessingTime' as const;

  private constructor(
    readonly timeToLive: number,
    readonly updateType: TtlUpdateType,
    readonly stateVisibility: TtlStateVisibility,
    readonly cleanup: { readonly fullSnapshot: boolean; readonly incremental: IncrementalCleanupOptions | false },
  ) {
    Object.freeze(this);
  }

  /** A builder with time-to-live `timeToLiveMs` milliseconds and Flink's defaults for everything else. */
  static newBuilder(timeToLiveMs: number): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(timeToLiveMs);
  }

  /** @internal Used by the builder. */
  static fromOptions(options: StateTtlOptions): StateTtlConfig {
    const o = checkStateTtlOptions(options);
    return new StateTtlConfig(o.timeToLive, o.updateType, o.stateVisibility, o.cleanup);
  }

  isEnabled(): true {
    return true;
  }
}

export class StateTtlConfigBuilder {
  private updateType: TtlUpdateType = 'OnCreateAndWrite';
  private stateVisibility: TtlStateVisibility = 'NeverReturnExpired';
  private fullSnapshot = false;
  private incremental: IncrementalCleanupOptions | false = DEFAULT_INCREMENTAL_CLEANUP;

  constructor(private timeToLive: number) {
    checkTimeToLive(timeToLive);
  }

  setTtl(timeToLiveMs: number): this {
    this.timeToLive = checkTimeToLive(timeToLiveMs);
    return this;
  }
  setUpdateType(updateType: TtlUpdateType): this {
    this.updateType = checkOneOf(updateType, UPDATE_TYPES, 'updateType');
    return this;
  }
  updateTtlOnCreateAndWrite(): this {
    return this.setUpdateType('OnCreateAndWrite');
  }
  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType('OnReadAndWrite');
  }
  setStateVisibility(visibility: TtlStateVisibility): this {
    this.stateVisibility = checkOneOf(visibility, VISIBILITIES, 'stateVisibility');
    return this;
  }
  neverReturnExpired(): this {
    return this.setStateVisibility('NeverReturnExpired');
  }
  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility('ReturnExpiredIfNotCleanedUp');
  }
  /** Only processing time exists (as in Flink); accepted for Flink code. */
  useProcessingTime(): this {
    return this;
  }
  cleanupFullSnapshot(): this {
    this.fullSnapshot = true;
    return this;
  }
  cleanupIncrementally(cleanupSize: number, runCleanupForEveryRecord: boolean): this {
    this.incremental = checkIncremental({ cleanupSize, runCleanupForEveryRecord });
    return this;
  }
  /** Turns incremental cleanup off: expired entries are then removed only on access and left out of snapshots. */
  disableCleanupInBackground(): this {
    this.incremental = false;
    return this;
  }
  build(): StateTtlConfig {
    return StateTtlConfig.fromOptions({
      timeToLive: this.timeToLive,
      updateType: this.updateType,
      stateVisibility: this.stateVisibility,
      cleanup: { fullSnapshot: this.fullSnapshot, incremental: this.incremental },
    });
  }
}

/** A TTL configuration with every field resolved to its value or default. */
export interface ResolvedStateTtl {
  readonly timeToLive: number;
  readonly updateType: TtlUpdateType;
  readonly stateVisibility: TtlStateVisibility;
  readonly cleanup: { readonly fullSnapshot: boolean; readonly incremental: IncrementalCleanupOptions | false };
}

const UPDATE_TYPES: readonly TtlUpdateType[] = ['OnCreateAndWrite', 'OnReadAndWrite'];
const VISIBILITIES: readonly TtlStateVisibility[] = ['NeverReturnExpired', 'ReturnExpiredIfNotCleanedUp'];

/**
 * Checks a TTL configuration in either form (a built StateTtlConfig or the
 * plain object) and fills in the defaults; throws TypeError/RangeError
 * naming the bad field.
 */
export function checkStateTtlOptions(options: StateTtlOptions): ResolvedStateTtl {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`a state's ttl must be a StateTtlConfig or { timeToLive, … }, got ${describe(options)}`);
  }
  const timeToLive = checkTimeToLive(options.timeToLive);
  const updateType = options.updateType === undefined ? 'OnCreateAndWrite' : checkOneOf(options.updateType, UPDATE_TYPES, 'updateType');
  const stateVisibility = options.stateVisibility === undefined
    ? 'NeverReturnExpired'
    : checkOneOf(options.stateVisibility, VISIBILITIES, 'stateVisibility');
  if (options.timeCharacteristic !== undefined && options.timeCharacteristic !== 'ProcessingTime') {
    throw new TypeError(`ttl.timeCharacteristic must be 'ProcessingTime' (the only one), got ${describe(options.timeCharacteristic)}`);
  }
  const cleanup = options.cleanup ?? {};
  if (typeof cleanup !== 'object' || cleanup === null) throw new TypeError(`ttl.cleanup must be an object, got ${describe(cleanup)}`);
  if (cleanup.fullSnapshot !== undefined && typeof cleanup.fullSnapshot !== 'boolean') {
    throw new TypeError(`ttl.cleanup.fullSnapshot must be a boolean, got ${describe(cleanup.fullSnapshot)}`);
  }
  const incremental = cleanup.incremental === undefined
    ? DEFAULT_INCREMENTAL_CLEANUP
    : cleanup.incremental === false
      ? false
      : checkIncremental(cleanup.incremental);
  return { timeToLive, updateType, stateVisibility, cleanup: { fullSnapshot: cleanup.fullSnapshot === true, incremental } };
}

function checkTimeToLive(ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 1) {
    throw new RangeError(`ttl.timeToLive must be a positive integer number of milliseconds, got ${describe(ms)}`);
  }
  return ms;
}

function checkIncremental(options: IncrementalCleanupOptions): IncrementalCleanupOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`ttl.cleanup.incremental must be { cleanupSize, runCleanupForEveryRecord } or false, got ${describe(options)}`);
  }
  const { cleanupSize, runCleanupForEveryRecord } = options;
  if (typeof cleanupSize !== 'number' || !Number.isInteger(cleanupSize) || cleanupSize < 1) {
    throw new RangeError(`ttl.cleanup.incremental.cleanupSize must be an integer ≥ 1, got ${describe(cleanupSize)}`);
  }
  if (typeof runCleanupForEveryRecord !== 'boolean') {
    throw new TypeError(`ttl.cleanup.incremental.runCleanupForEveryRecord must be a boolean, got ${describe(runCleanupForEveryRecord)}`);
  }
  return Object.freeze({ cleanupSize, runCleanupForEveryRecord });
}

function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) {
    throw new TypeError(`ttl.${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
