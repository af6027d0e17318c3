import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EventTimeSessionWindows,
  GlobalWindows,
  MissingTimestampError,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  mergeTimeWindows,
} from '../src/windowing/assigners.js';
import { CountEvictor, DeltaEvictor, TimeEvictor, type TimestampedValue } from '../src/windowing/evictors.js';
import { CountTrigger, EventTimeTrigger, PurgingTrigger, TriggerResult, type OnMergeContext, type TriggerState } from '../src/windowing/triggers.js';
import { GlobalWindow, TimeWindow, windowFromId } from '../src/windowing/windows.js';

const clock = (now: number): { getCurrentProcessingTime(): number } => ({ getCurrentProcessingTime: () => now });
const bounds = (windows: readonly TimeWindow[]): [number, number][] => windows.map((w) => [w.start, w.end]);

/** A trigger context over plain maps, with the watermark and clock given. */
function triggerContext(watermark = Number.NEGATIVE_INFINITY): OnMergeContext & { timers: Set<string>; states: Map<string, unknown>; merged: Map<string, unknown>[] } {
  const states = new Map<string, unknown>();
  const timers = new Set<string>();
  const merged: Map<string, unknown>[] = [];
  const stateOf = <T>(map: Map<string, unknown>, name: string): TriggerState<T> => ({
    value: () => map.get(name) as T | undefined,
    update: (v) => void map.set(name, v),
    clear: () => void map.delete(name),
  });
  return {
    timers, states, merged,
    getCurrentProcessingTime: () => 0,
    getCurrentWatermark: () => watermark,
    registerEventTimeTimer: (t) => void timers.add(`event:${t}`),
    registerProcessingTimeTimer: (t) => void timers.add(`processing:${t}`),
    deleteEventTimeTimer: (t) => void timers.delete(`event:${t}`),
    deleteProcessingTimeTimer: (t) => void timers.delete(`processing:${t}`),
    getState: (name) => stateOf(states, name),
    mergeState<T>(name: string, merge: (a: T, b: T) => T) {
      const values = merged.map((m) => m.get(name) as T | undefined).filter((v): v is T => v !== undefined);
      if (values.length > 0) states.set(name, values.reduce(merge));
    },
  };
}

describe('windows', () => {
  test('a time window is [start, end): maxTimestamp is end - 1; ids round-trip', () => {
    const w = new TimeWindow(1000, 2000);
    assert.equal(w.maxTimestamp(), 1999);
    assert.ok(windowFromId(w.id).equals(w));
    assert.equal(windowFromId('global'), GlobalWindow.INSTANCE);
    assert.throws(() => windowFromId('12'), /not a window id/);
  });

  test('window start with offset, also for negative timestamps (Flink\'s formula)', () => {
    assert.equal(TimeWindow.windowStart(1234, 0, 1000), 1000);
    assert.equal(TimeWindow.windowStart(1234, 300, 1000), 300);
    assert.equal(TimeWindow.windowStart(1300, 300, 1000), 1300);
    assert.equal(TimeWindow.windowStart(-1, 0, 1000), -1000);
    assert.equal(TimeWindow.windowStart(-1000, 0, 1000), -1000);
    assert.equal(TimeWindow.windowStart(999, 0, 1000), 0);
  });
});

describe('window assigners', () => {
  test('tumbling event time: one window per record, by its timestamp and the offset', () => {
    const a = TumblingEventTimeWindows.of(60_000);
    assert.deepEqual(bounds(a.assignWindows('x', 61_500, clock(0))), [[60_000, 120_000]]);
    const shifted = TumblingEventTimeWindows.of(60_000, 15_000);
    assert.deepEqual(bounds(shifted.assignWindows('x', 61_500, clock(0))), [[15_000, 75_000]]);
    assert.ok(a.isEventTime());
    assert.ok(a.getDefaultTrigger() instanceof EventTimeTrigger);
  });

  test('an event-time assigner refuses a record without a timestamp, saying how to assign them', () => {
    assert.throws(() => TumblingEventTimeWindows.of(1000).assignWindows('x', undefined, clock(0)), (e: unknown) => e instanceof MissingTimestampError && /assignTimestampsAndWatermarks/.test(e.message));
  });

  test('processing-time assigners use the clock, not the timestamp', () => {
    assert.deepEqual(bounds(TumblingProcessingTimeWindows.of(1000).assignWindows('x', 5, clock(2500))), [[2000, 3000]]);
    assert.deepEqual(bounds(SlidingProcessingTimeWindows.of(1000, 500).assignWindows('x', 5, clock(2500))), [[2500, 3500], [2000, 3000]]);
  });

  test('sliding: a record is in size/slide windows, latest first', () => {
    const a = SlidingEventTimeWindows.of(10_000, 5_000);
    assert.deepEqual(bounds(a.assignWindows('x', 12_000, clock(0))), [[10_000, 20_000], [5_000, 15_000]]);
    const thirds = SlidingEventTimeWindows.of(3000, 1000);
    assert.equal(thirds.assignWindows('x', 7_777, clock(0)).length, 3);
    for (const w of thirds.assignWindows('x', 7_777, clock(0))) assert.ok(w.start <= 7_777 && 7_777 < w.end);
  });

  test('bad sizes, slides, offsets and gaps are refused with the call named', () => {
    assert.throws(() => TumblingEventTimeWindows.of(0), /TumblingEventTimeWindows\.of: the size must be a positive/);
    assert.throws(() => TumblingEventTimeWindows.of(1000, 1000), /\|offset\| < 1000/);
    assert.throws(() => SlidingEventTimeWindows.of(1000, 1.5), /the slide must be/);
    assert.throws(() => EventTimeSessionWindows.withGap(-5), /withGap: the gap must be/);
    assert.throws(() => EventTimeSessionWindows.withDynamicGap<number>(() => 0).assignWindows(1, 5, clock(0)), /dynamic gap must be a positive/);
  });

  test('sessions: [t, t + gap) per record; intersecting windows merge into their cover', () => {
    const a = EventTimeSessionWindows.withGap(1000);
    const windows = [a.assignWindows('x', 5000, clock(0))[0]!, a.assignWindows('x', 5900, clock(0))[0]!, a.assignWindows('x', 9000, clock(0))[0]!, a.assignWindows('x', 6900, clock(0))[0]!];
    const merges: [number, number][][] = [];
    const covers: [number, number][] = [];
    a.mergeWindows(windows, (members, cover) => {
      merges.push(bounds(members));
      covers.push([cover.start, cover.end]);
    });
    assert.deepEqual(covers, [[5000, 7900]], 'touching windows merge too (6900 starts where 5900 ends)');
    assert.deepEqual(merges, [[[5000, 6000], [5900, 6900], [6900, 7900]]]);
    const dynamic = EventTimeSessionWindows.withDynamicGap<{ gap: number }>((r) => r.gap);
    assert.deepEqual(bounds(dynamic.assignWindows({ gap: 250 }, 100, clock(0))), [[100, 350]]);
  });

  test('merging is order-independent and leaves single windows alone', () => {
    const calls: number[] = [];
    mergeTimeWindows([new TimeWindow(0, 10), new TimeWindow(20, 30)], () => calls.push(1));
    assert.equal(calls.length, 0);
    const covers: string[] = [];
    mergeTimeWindows([new TimeWindow(25, 40), new TimeWindow(0, 10), new TimeWindow(5, 26)], (_m, cover) => covers.push(cover.id));
    assert.deepEqual(covers, ['0:40']);
  });

  test('global windows: one window, a trigger that never fires by itself', () => {
    const a = GlobalWindows.create();
    assert.deepEqual(a.assignWindows(), [GlobalWindow.INSTANCE]);
    assert.equal(a.getDefaultTrigger().onElement('x', 0, GlobalWindow.INSTANCE, triggerContext()), TriggerResult.CONTINUE);
  });
});

describe('triggers', () => {
  test('event time: a timer at the end of the window, fire on it; late elements fire at once', () => {
    const t = EventTimeTrigger.create();
    const w = new TimeWindow(0, 1000);
    const ctx = triggerContext(500);
    assert.equal(t.onElement('x', 10, w, ctx), TriggerResult.CONTINUE);
    assert.deepEqual([...ctx.timers], ['event:999']);
    assert.equal(t.onEventTime(998, w, ctx), TriggerResult.CONTINUE);
    assert.equal(t.onEventTime(999, w, ctx), TriggerResult.FIRE);
    assert.equal(t.onElement('late', 10, w, triggerContext(999)), TriggerResult.FIRE);
    t.clear(w, ctx);
    assert.equal(ctx.timers.size, 0);
  });

  test('count: fires every n elements of a window; merged windows add their counts', () => {
    const t = CountTrigger.of(3);
    const ctx = triggerContext();
    const w = GlobalWindow.INSTANCE;
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((i) => t.onElement(i, 0, w, ctx)), ['CONTINUE', 'CONTINUE', 'FIRE', 'CONTINUE', 'CONTINUE', 'FIRE']);
    const merging = triggerContext();
    merging.merged.push(new Map([['count', 1]]), new Map([['count', 1]]));
    t.onMerge(w, merging);
    assert.equal(t.onElement(7, 0, w, merging), TriggerResult.FIRE, 'counts 1 + 1 merged, then the third element fires');
    assert.throws(() => CountTrigger.of(0), /positive integer/);
  });

  test('purging turns FIRE into FIRE_AND_PURGE', () => {
    const t = PurgingTrigger.of(CountTrigger.of(1));
    assert.equal(t.onElement('x', 0, GlobalWindow.INSTANCE, triggerContext()), TriggerResult.FIRE_AND_PURGE);
  });
});

describe('evictors', () => {
  const values = (elements: TimestampedValue<number>[]): number[] => elements.map((e) => e.value);
  const of = (...pairs: [number, number | undefined][]): TimestampedValue<number>[] => pairs.map(([value, timestamp]) => ({ value, timestamp }));

  test('count keeps the last n, before or after the function', () => {
    const before = of([1, 1], [2, 2], [3, 3], [4, 4]);
    CountEvictor.of(2).evictBefore(before, 4);
    assert.deepEqual(values(before), [3, 4]);
    const after = of([1, 1], [2, 2], [3, 3]);
    CountEvictor.of(1, true).evictBefore(after, 3);
    assert.deepEqual(values(after), [1, 2, 3], 'an after-evictor does nothing before');
    CountEvictor.of(1, true).evictAfter(after, 3);
    assert.deepEqual(values(after), [3]);
  });

  test('time keeps what is within the size of the newest timestamp; no timestamps, no eviction', () => {
    const elements = of([1, 1000], [2, 4000], [3, 5000], [4, 2000]);
    TimeEvictor.of(3000).evictBefore(elements);
    assert.deepEqual(values(elements), [2, 3], 'timestamps <= 5000 - 3000 go');
    const untimed = of([1, undefined], [2, undefined]);
    TimeEvictor.of(0).evictBefore(untimed);
    assert.equal(untimed.length, 2);
  });

  test('delta evicts what differs from the newest by the threshold or more', () => {
    const elements = of([1, 0], [8, 0], [9, 0], [10, 0]);
    DeltaEvictor.of<number>(5, (a, b) => Math.abs(a - b)).evictBefore(elements);
    assert.deepEqual(values(elements), [8, 9, 10]);
  });
});
