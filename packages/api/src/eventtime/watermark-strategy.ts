import { JobGraphError } from '../errors.js';
import { BoundedOutOfOrdernessWatermarks, NoWatermarksGenerator, type TimestampAssigner, type WatermarkGenerator } from './watermark-generator.js';

/** The strategy's settings as JSON, recorded in the job graph (for display and validation). */
export interface WatermarkStrategyDescription {
  readonly generator: 'boundedOutOfOrderness' | 'monotonous' | 'none' | 'custom';
  readonly outOfOrdernessMs?: number;
  readonly idlenessMs?: number;
  readonly timestampAssigner: boolean;
}

/**
 * How a stream gets event timestamps and watermarks (Flink's
 * WatermarkStrategy): a timestamp assigner, a watermark generator and
 * optionally idleness. Immutable: each `with…` returns a new strategy.
 * Used by DataStream.assignTimestampsAndWatermarks(strategy).
 *
 * Without withTimestampAssigner, a record keeps the timestamp it already has
 * (Flink's default); a record with none fails the task with a clear error.
 */
export class WatermarkStrategy<T> {
  private constructor(
    private readonly generatorFactory: () => WatermarkGenerator<T>,
    private readonly assigner: TimestampAssigner<T> | undefined,
    /** Milliseconds without records after which the stream is marked idle; undefined: never. */
    readonly idlenessMs: number | undefined,
    private readonly description: Omit<WatermarkStrategyDescription, 'idlenessMs' | 'timestampAssigner'>,
  ) {}

  /** Watermarks trail the highest timestamp seen by `maxOutOfOrdernessMs` (and 1 ms). */
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    if (typeof maxOutOfOrdernessMs !== 'number' || !Number.isFinite(maxOutOfOrdernessMs) || maxOutOfOrdernessMs < 0) {
      throw new JobGraphError(
        'INVALID_ARGUMENT',
        `WatermarkStrategy.forBoundedOutOfOrderness(${String(maxOutOfOrdernessMs)}): the bound must be a finite number of milliseconds >= 0`,
      );
    }
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs), undefined, undefined, {
      generator: 'boundedOutOfOrderness',
      outOfOrdernessMs: maxOutOfOrdernessMs,
    });
  }

  /** Timestamps only ascend: the watermark is the highest timestamp seen minus 1 ms (bounded out-of-orderness of 0). */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(0), undefined, undefined, { generator: 'monotonous' });
  }

  /** Timestamps without watermarks: event-time timers fire only at the end of input. */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>(), undefined, undefined, { generator: 'none' });
  }

  /** Your own generator; `factory` is called once per parallel instance. */
  static forGenerator<T>(factory: () => WatermarkGenerator<T>): WatermarkStrategy<T> {
    if (typeof factory !== 'function') {
      throw new JobGraphError('INVALID_ARGUMENT', 'WatermarkStrategy.forGenerator(factory): factory must be a function returning a WatermarkGenerator');
    }
    return new WatermarkStrategy<T>(factory, undefined, undefined, { generator: 'custom' });
  }

  /** Takes each record's event timestamp from `assigner` (milliseconds; must return a finite number). */
  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    if (typeof assigner !== 'function') {
      throw new JobGraphError('INVALID_ARGUMENT', 'WatermarkStrategy.withTimestampAssigner(assigner): assigner must be a function (record, recordTimestamp) => number');
    }
    return new WatermarkStrategy<T>(this.generatorFactory, assigner, this.idlenessMs, this.description);
  }

  /**
   * Marks the stream idle after `idleTimeoutMs` without records, so
   * downstream operators do not wait for its watermarks; the next record
   * makes it active again (Flink's withIdleness).
   */
  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    if (typeof idleTimeoutMs !== 'number' || !Number.isFinite(idleTimeoutMs) || idleTimeoutMs <= 0) {
      throw new JobGraphError('INVALID_ARGUMENT', `WatermarkStrategy.withIdleness(${String(idleTimeoutMs)}): the timeout must be a finite number of milliseconds > 0`);
    }
    return new WatermarkStrategy<T>(this.generatorFactory, this.assigner, idleTimeoutMs, this.description);
  }

  /** @internal A new generator for one parallel instance. */
  createWatermarkGenerator(): WatermarkGenerator<T> {
    return this.generatorFactory();
  }

  /** @internal The assigner; undefined: records keep the timestamp they have. */
  get timestampAssigner(): TimestampAssigner<T> | undefined {
    return this.assigner;
  }

  /** @internal The strategy as JSON for the job graph. */
  describe(): WatermarkStrategyDescription {
    return {
      ...this.description,
      ...(this.idlenessMs !== undefined ? { idlenessMs: this.idlenessMs } : {}),
      timestampAssigner: this.assigner !== undefined,
    };
  }
}
