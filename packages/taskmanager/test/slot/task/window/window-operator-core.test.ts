import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CountEvictor,
  CountTrigger,
  EventTimeSessionWindows,
  GlobalWindows,
  PurgingTrigger,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type AggregateFunction,
  type Evictor,
  type Trigger,
  type Window,
  type WindowAssigner,
} from '@rivulet/api';
import { HeapKeyedStateBackend } from '../../../../src/slot/state/index.js';
import { WindowOperatorCore } from '../../../../src/slot/task/operators/window/window-operator-core.js';
import type { WindowFunctionSpec } from '../../../../src/slot/task/operators/window/window-spec.js';
import { windowStatesOf } from '../../../../src/slot/task/operators/window/window-states.js';

const MAX_PARALLELISM = 16;

interface Emitted {
  key: unknown;
  value: unknown;
  timestamp: number;
}

/**
 * A window operator core over a real heap keyed state backend, with timer
 * queues that fire by (key, time) as the runtime's do: the test drives the
 * watermark and the clock and reads what was emitted.
 */
function harness(options: {
  assigner: WindowAssigner<unknown, Window>;
  fn: WindowFunctionSpec;
  trigger?: Trigger<unknown, Window>;
  allowedLateness?: number;
  evictor?: Evictor<unknown, Window>;
  late?: boolean;
}) {
  const backend = new HeapKeyedStateBackend({ operatorId: 'window', maxParallelism: MAX_PARALLELISM, keyGroups: Array.from({ length: MAX_PARALLELISM }, (_, i) => i) });
  const queues = { event: new Map<string, { key: unknown; time: number }>(), processing: new Map<string, { key: unknown; time: number }>() };
  const queue = (domain: 'event' | 'processing') => ({
    register: (time: number) => void queues[domain].set(`${JSON.stringify(backend.getCurrentKey())}@${time}`, { key: backend.getCurrentKey(), time }),
    delete: (time: number) => void queues[domain].delete(`${JSON.stringify(backend.getCurrentKey())}@${time}`),
  });
  let watermark = Number.NEGATIVE_INFINITY;
  let now = 0;
  const emitted: Emitted[] = [];
  const late: Emitted[] = [];
  const side: [string, unknown][] = [];
  const core = new WindowOperatorCore(
    {
      assigner: options.assigner,
      trigger: options.trigger ?? options.assigner.getDefaultTrigger(),
      ...(options.evictor ? { evictor: options.evictor } : {}),
      allowedLateness: options.allowedLateness ?? 0,
      fn: options.fn,
    },
    {
      states: windowStatesOf((name) => backend.getMapState(name)),
      eventQueue: queue('event'),
      processingQueue: queue('processing'),
      currentKey: () => backend.getCurrentKey(),
      currentWatermark: () => watermark,
      currentProcessingTime: () => now,
      emit: (value, timestamp) => void emitted.push({ key: backend.getCurrentKey(), value, timestamp }),
      ...(options.late ? { emitLate: (value: unknown, timestamp: number) => void late.push({ key: backend.getCurrentKey(), value, timestamp }) } : {}),
      sideOutput: (tag, value) => void side.push([tag, value]),
    },
  );
  const fire = (domain: 'event' | 'processing', upTo: number): void => {
    for (;;) {
      const due = [...queues[domain].entries()].filter(([, t]) => t.time <= upTo).sort((a, b) => a[1].time - b[1].time);
      if (due.length === 0) return;
      const [id, timer] = due[0]!;
      queues[domain].delete(id);
      backend.setCurrentKey(timer.key);
      core.onTimer(domain, timer.time);
    }
  };
  return {
    core, emitted, late, side, backend,
    element(key: unknown, value: unknown, timestamp?: number): void {
      backend.setCurrentKey(key);
      core.processElement(value, timestamp);
    },
    watermark(to: number): void {
      watermark = to;
      fire('event', to);
    },
    clock(to: number): void {
      now = to;
      fire('processing', to);
    },
    stateEntries(): number {
      let entries = 0;
      for (const group of backend.ownedKeyGroups()) entries += backend.keyGroupStats(group).entries;
      return entries;
    },
  };
}

const sum: WindowFunctionSpec = { kind: 'reduce', reduce: (a, b) => (a as number) + (b as number) };
const list: WindowFunctionSpec = { kind: 'process', process: { process: (_key, _ctx, elements, out) => out.collect([...elements]) } };

describe('window operator core', () => {
  test('tumbling event time: each window fires once the watermark passes its end, with its maxTimestamp, and its state goes', () => {
    const h = harness({ assigner: TumblingEventTimeWindows.of(1000), fn: sum });
    h.element('a', 1, 100);
    h.element('a', 2, 999);
    h.element('b', 10, 500);
    h.element('a', 4, 1500);
    h.watermark(998);
    assert.equal(h.emitted.length, 0);
    h.watermark(999);
    assert.deepEqual(new Set(h.emitted.map((e) => `${String(e.key)}=${String(e.value)}@${e.timestamp}`)), new Set(['a=3@999', 'b=10@999']));
    h.watermark(2000);
    assert.equal(h.emitted.at(-1)!.value, 4);
    assert.equal(h.stateEntries(), 0, 'every window cleaned up');
  });

  test('late records: dropped and counted, or sent to the late output; within the allowed lateness they fire the window again', () => {
    const dropped = harness({ assigner: TumblingEventTimeWindows.of(1000), fn: sum });
    dropped.element('a', 1, 100);
    dropped.watermark(1500);
    dropped.element('a', 5, 200);
    assert.equal(dropped.core.lateRecordsDropped, 1);

    const lateOut = harness({ assigner: TumblingEventTimeWindows.of(1000), fn: sum, late: true });
    lateOut.watermark(1500);
    lateOut.element('a', 5, 200);
    assert.deepEqual(lateOut.late, [{ key: 'a', value: 5, timestamp: 200 }]);

    const lateness = harness({ assigner: TumblingEventTimeWindows.of(1000), fn: sum, allowedLateness: 500 });
    lateness.element('a', 1, 100);
    lateness.watermark(1200);
    assert.deepEqual(lateness.emitted.map((e) => e.value), [1]);
    lateness.element('a', 2, 300); // late but within 500 ms: fires again with everything
    assert.deepEqual(lateness.emitted.map((e) => e.value), [1, 3]);
    lateness.watermark(1498);
    lateness.element('a', 4, 400);
    assert.deepEqual(lateness.emitted.map((e) => e.value), [1, 3, 7]);
    lateness.watermark(1499); // cleanup at 999 + 500: the window is gone once the watermark reaches it (Flink)
    lateness.element('a', 8, 400);
    assert.equal(lateness.core.lateRecordsDropped, 1);
    assert.equal(lateness.stateEntries(), 0);
  });

  test('sliding windows: a record counts in each of its windows', () => {
    const h = harness({ assigner: SlidingEventTimeWindows.of(2000, 1000), fn: sum });
    h.element('k', 1, 1500);
    h.element('k', 10, 2500);
    h.watermark(10_000);
    assert.deepEqual(h.emitted.map((e) => [e.timestamp, e.value]), [[1999, 1], [2999, 11], [3999, 10]]);
  });

  test('sessions merge, in any arrival order, and fire once per session at its end', () => {
    const h = harness({ assigner: EventTimeSessionWindows.withGap(1000), fn: list });
    h.element('u', 'a', 0);
    h.element('u', 'c', 1800);
    h.element('u', 'b', 900); // bridges [0, 1000) and [1800, 2800)
    h.element('u', 'z', 5000);
    h.watermark(2799);
    assert.deepEqual(h.emitted, [{ key: 'u', value: ['a', 'c', 'b'], timestamp: 2799 }]);
    h.watermark(Number.POSITIVE_INFINITY);
    assert.deepEqual(h.emitted.at(-1), { key: 'u', value: ['z'], timestamp: 5999 });
    assert.equal(h.stateEntries(), 0);
  });

  test('aggregate with a process function: the process function gets the one aggregate, with the window', () => {
    const average: AggregateFunction<number, { sum: number; count: number }, number> = {
      createAccumulator: () => ({ sum: 0, count: 0 }),
      add: (v, acc) => ({ sum: acc.sum + v, count: acc.count + 1 }),
      getResult: (acc) => acc.sum / acc.count,
      merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
    };
    const h = harness({
      assigner: TumblingEventTimeWindows.of(1000),
      fn: {
        kind: 'aggregate',
        aggregate: average as AggregateFunction<unknown, unknown, unknown>,
        process: { process: (key, ctx, elements, out) => out.collect({ key, end: (ctx.window() as { end: number }).end, averages: elements }) },
      },
    });
    for (const v of [1, 2, 6]) h.element('x', v, 10 * v);
    h.watermark(999);
    assert.deepEqual(h.emitted.map((e) => e.value), [{ key: 'x', end: 1000, averages: [3] }]);
  });

  test('count windows: global windows with a purging count trigger, and sliding counts with an evictor', () => {
    const tumbling = harness({ assigner: GlobalWindows.create(), trigger: PurgingTrigger.of(CountTrigger.of(2)), fn: sum });
    for (const v of [1, 2, 3, 4, 5]) tumbling.element('k', v);
    assert.deepEqual(tumbling.emitted.map((e) => e.value), [3, 7]);
    const sliding = harness({ assigner: GlobalWindows.create(), trigger: CountTrigger.of(2), evictor: CountEvictor.of(3), fn: sum });
    for (const v of [1, 2, 3, 4, 5, 6]) sliding.element('k', v);
    assert.deepEqual(sliding.emitted.map((e) => e.value), [1 + 2, 2 + 3 + 4, 4 + 5 + 6], 'countWindow(3, 2): the last 3 every 2 records');
  });

  test('processing-time windows fire by the clock', () => {
    const h = harness({ assigner: TumblingProcessingTimeWindows.of(1000), fn: sum });
    h.clock(100);
    h.element('k', 1);
    h.clock(500);
    h.element('k', 2);
    h.clock(999);
    assert.deepEqual(h.emitted.map((e) => [e.value, e.timestamp]), [[3, 999]]);
    assert.equal(h.stateEntries(), 0);
  });

  test('an event-time assigner fails clearly on a record without a timestamp', () => {
    const h = harness({ assigner: TumblingEventTimeWindows.of(1000), fn: sum });
    assert.throws(() => h.element('k', 1), /needs event timestamps, but a record has none/);
  });
});
