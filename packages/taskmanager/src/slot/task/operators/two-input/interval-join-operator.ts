import type { Collector, KeySelector, MapState, ProcessJoinContext, ProcessJoinFunction, RuntimeContext } from '@rivulet/api';
import type { HeapKeyedStateBackend } from '../../../state/index.js';
import type { ElementTimestamp } from '../../event-time/element-timestamp.js';
import type { WatermarkSink } from '../../event-time/watermark-sink.js';
import type { Output } from '../../output.js';
import { KeyedTwoInputOperator, type FiredTimer } from './keyed-two-input-operator.js';

/** The bounds of an interval join: a right record at r joins a left one at l when l + lower <= r <= l + upper (or < when exclusive). */
export interface IntervalJoinBounds {
  readonly lowerBound: number;
  readonly upperBound: number;
  readonly lowerBoundInclusive: boolean;
  readonly upperBoundInclusive: boolean;
}

/** Whether timestamp `other` is within [base + lower, base + upper] under the inclusivity given. */
function within(base: number, other: number, lower: number, upper: number, lowerInclusive: boolean, upperInclusive: boolean): boolean {
  const low = base + lower;
  const high = base + upper;
  return (lowerInclusive ? other >= low : other > low) && (upperInclusive ? other <= high : other < high);
}

/**
 * keyedA.intervalJoin(keyedB).between(lower, upper).process(fn) (Flink's
 * IntervalJoinOperator). Both sides are buffered in keyed MapState by
 * timestamp (`left`, `right`); each new record is added to its side's buffer
 * and joined with every record of the other side's buffer within the bounds
 * (results carry the larger timestamp). A record behind the watermark is
 * dropped (it could only pair with records already cleaned up). Cleanup:
 * each record registers an event-time timer at the time after which no
 * record of the other side can join it (left: t + max(upper, 0), right:
 * t + max(-lower, 0)); a timer at T removes the left bucket T - max(upper, 0)
 * and the right bucket T - max(-lower, 0) of its key — whatever else is in
 * those buckets is due at T too.
 */
export class IntervalJoinOperator extends KeyedTwoInputOperator {
  readonly first: Output;
  readonly second: Output;
  private readonly left: MapState<number, unknown[]>;
  private readonly right: MapState<number, unknown[]>;
  private readonly leftCleanupDelay: number;
  private readonly rightCleanupDelay: number;

  constructor(
    backend: HeapKeyedStateBackend,
    keySelector1: KeySelector<unknown, unknown>,
    keySelector2: KeySelector<unknown, unknown>,
    fn: ProcessJoinFunction<unknown, unknown, unknown>,
    bounds: IntervalJoinBounds,
    next: Output,
    runtime: RuntimeContext,
    timestamp: ElementTimestamp,
    watermarks: WatermarkSink,
    sideOutputs: (tagId: string, value: unknown) => void,
    operator: string,
  ) {
    super(backend, fn, runtime, timestamp, watermarks, sideOutputs);
    this.left = backend.getMapState('interval-join/left');
    this.right = backend.getMapState('interval-join/right');
    const { lowerBound, upperBound, lowerBoundInclusive, upperBoundInclusive } = bounds;
    this.leftCleanupDelay = Math.max(upperBound, 0);
    this.rightCleanupDelay = Math.max(-lowerBound, 0);
    let leftTs = 0;
    let rightTs = 0;
    const context: ProcessJoinContext = {
      leftTimestamp: () => leftTs,
      rightTimestamp: () => rightTs,
      timestamp: () => Math.max(leftTs, rightTs),
      output: (tag, value) => sideOutputs(tag.id, value),
    };
    const out = next as Collector<unknown>;
    const emit = (l: unknown, lt: number, r: unknown, rt: number): void => {
      leftTs = lt;
      rightTs = rt;
      timestamp.value = Math.max(lt, rt);
      fn.processElement(l, r, context, out);
    };
    const timestampOf = (side: string): number => {
      const t = timestamp.get();
      if (t === undefined) {
        throw new Error(
          `${operator}: a ${side} record has no timestamp; records of an interval join need event timestamps (assignTimestampsAndWatermarks upstream)`,
        );
      }
      return t;
    };
    this.first = {
      collect: (record) => {
        const t = timestampOf('left');
        backend.setCurrentKey(keySelector1(record));
        if (this.isLate(t)) return;
        this.add(this.left, t, record);
        for (const [rt, values] of this.right.entries()) {
          if (!within(t, rt, lowerBound, upperBound, lowerBoundInclusive, upperBoundInclusive)) continue;
          for (const r of values) emit(record, t, r, rt);
        }
        this.timerService.registerEventTimeTimer(t + this.leftCleanupDelay);
      },
    };
    this.second = {
      collect: (record) => {
        const t = timestampOf('right');
        backend.setCurrentKey(keySelector2(record));
        if (this.isLate(t)) return;
        this.add(this.right, t, record);
        for (const [lt, values] of this.left.entries()) {
          if (!within(lt, t, lowerBound, upperBound, lowerBoundInclusive, upperBoundInclusive)) continue;
          for (const l of values) emit(l, lt, record, t);
        }
        this.timerService.registerEventTimeTimer(t + this.rightCleanupDelay);
      },
    };
  }

  /** Flink's isLate: behind a watermark that has been seen. */
  private isLate(timestamp: number): boolean {
    return this.currentWatermark !== -Infinity && timestamp < this.currentWatermark;
  }

  private add(buffer: MapState<number, unknown[]>, timestamp: number, record: unknown): void {
    const bucket = buffer.get(timestamp);
    buffer.put(timestamp, bucket === undefined ? [record] : [...bucket, record]);
  }

  protected onTimer(timer: FiredTimer): void {
    if (timer.domain !== 'EVENT_TIME') return;
    this.left.remove(timer.timestamp - this.leftCleanupDelay);
    this.right.remove(timer.timestamp - this.rightCleanupDelay);
  }
}
