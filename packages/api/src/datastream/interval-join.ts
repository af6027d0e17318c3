import { JobGraphError } from '../errors.js';
import type { KeySelector } from '../functions.js';
import type { RecordedInput, RecordingGraph } from '../graph/recording-graph.js';
import type { ProcessJoinFunction } from '../two-input-functions.js';
import type { SingleOutputStreamOperator } from './data-stream.js';
import { requireFunction } from './operator-settings.js';
import { addTwoInputOperator } from './two-input-operator.js';

/** keyedA.intervalJoin(keyedB): give the bounds next (Flink's KeyedStream.IntervalJoin). */
export class IntervalJoin<K, T1, T2> {
  declare readonly keyType?: K;

  /** @internal Created by KeyedStream.intervalJoin; not for job code. */
  constructor(
    private readonly graph: RecordingGraph,
    private readonly first: readonly RecordedInput[],
    private readonly second: readonly RecordedInput[],
    private readonly keySelector1: KeySelector<unknown, unknown>,
    private readonly keySelector2: KeySelector<unknown, unknown>,
  ) {}

  /**
   * A record of the first stream at time t joins the records of the second
   * with the same key at times in [t + lowerMs, t + upperMs] (both bounds
   * inclusive until lowerBoundExclusive() / upperBoundExclusive()).
   */
  between(lowerMs: number, upperMs: number): IntervalJoined<K, T1, T2> {
    for (const [what, value] of [['lower', lowerMs], ['upper', upperMs]] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new JobGraphError('INVALID_ARGUMENT', `intervalJoin(...).between(): the ${what} bound must be a finite number of milliseconds, got ${String(value)}`);
      }
    }
    if (lowerMs > upperMs) {
      throw new JobGraphError('INVALID_ARGUMENT', `intervalJoin(...).between(${lowerMs}, ${upperMs}): the lower bound must be at most the upper bound`);
    }
    return new IntervalJoined<K, T1, T2>(this.graph, this.first, this.second, this.keySelector1, this.keySelector2, lowerMs, upperMs);
  }
}

/** An interval join with its bounds (Flink's IntervalJoined). */
export class IntervalJoined<K, T1, T2> {
  #lowerInclusive = true;
  #upperInclusive = true;
  declare readonly keyType?: K;

  /** @internal */
  constructor(
    private readonly graph: RecordingGraph,
    private readonly first: readonly RecordedInput[],
    private readonly second: readonly RecordedInput[],
    private readonly keySelector1: KeySelector<unknown, unknown>,
    private readonly keySelector2: KeySelector<unknown, unknown>,
    private readonly lower: number,
    private readonly upper: number,
  ) {}

  /** Leaves out pairs at exactly t + lowerMs. */
  lowerBoundExclusive(): this {
    this.#lowerInclusive = false;
    return this;
  }

  /** Leaves out pairs at exactly t + upperMs. */
  upperBoundExclusive(): this {
    this.#upperInclusive = false;
    return this;
  }

  /**
   * Calls `fn.processElement(first, second, ctx, out)` for every pair; the
   * results carry the larger of the two timestamps (Flink's). Every record
   * needs a timestamp (assignTimestampsAndWatermarks upstream): one without
   * fails the task.
   */
  process<R>(fn: ProcessJoinFunction<T1, T2, R>): SingleOutputStreamOperator<R> {
    requireFunction(fn?.processElement, 'intervalJoin(...).between(...).process() (the function\'s processElement)');
    const functions = {
      kind: 'intervalJoin',
      keySelector: this.keySelector1,
      keySelector2: this.keySelector2,
      lowerBound: this.lower,
      upperBound: this.upper,
      lowerBoundInclusive: this.#lowerInclusive,
      upperBoundInclusive: this.#upperInclusive,
      fn: fn as ProcessJoinFunction<unknown, unknown, unknown>,
    } as const;
    const params = { lowerBound: this.lower, upperBound: this.upper, lowerBoundInclusive: this.#lowerInclusive, upperBoundInclusive: this.#upperInclusive };
    return addTwoInputOperator<R>(this.graph, { kind: 'intervalJoin', variant: 'user', name: 'Interval Join', params }, this.first, this.second, true, functions);
  }
}
