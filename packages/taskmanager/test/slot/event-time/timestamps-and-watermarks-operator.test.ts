import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatermarkStrategy } from '@rivulet/api';
import { ElementTimestamp } from '../../../src/slot/task/event-time/element-timestamp.js';
import { TimestampsAndWatermarksOperator } from '../../../src/slot/task/operators/timestamps-and-watermarks-operator.js';

interface Event {
  readonly at: number;
}

function setup(strategy: WatermarkStrategy<unknown>, intervalMs = 200) {
  let now = 1_000;
  const out: unknown[] = [];
  const timestamp = new ElementTimestamp();
  const records: [unknown, number | undefined][] = [];
  const operator = new TimestampsAndWatermarksOperator(
    strategy,
    'Timestamps/Watermarks (operator ts-1) (1/1)',
    { collect: (record) => records.push([record, timestamp.get()]) },
    { processWatermark: (t) => out.push(t), processWatermarkStatus: (idle) => out.push(idle ? 'idle' : 'active') },
    timestamp,
    intervalMs,
    () => now,
  );
  const tick = (to: number) => {
    now = to;
    if (operator.msUntilNextTick(now) === 0) operator.onTick(now);
  };
  return { operator, out, records, tick, timestamp };
}

const byAt = WatermarkStrategy.forBoundedOutOfOrderness<Event>(100).withTimestampAssigner((e) => e.at) as WatermarkStrategy<unknown>;

test('assigns timestamps and emits maxTimestamp - bound - 1 every interval, only when it advances', () => {
  const { operator, out, records, tick } = setup(byAt);
  tick(1_200);
  assert.deepEqual(out, [], 'no watermark before the first record');
  operator.collect({ at: 5_000 });
  operator.collect({ at: 4_000 });
  assert.deepEqual(records, [[{ at: 5_000 }, 5_000], [{ at: 4_000 }, 4_000]]);
  tick(1_300);
  assert.deepEqual(out, [], 'the interval has not passed since the last tick');
  tick(1_400);
  assert.deepEqual(out, [4_899]);
  tick(1_600);
  assert.deepEqual(out, [4_899], 'no advance, no watermark');
  operator.collect({ at: 6_000 });
  tick(1_800);
  assert.deepEqual(out, [4_899, 5_899]);
});

test('upstream watermarks are dropped except the final +Infinity, forwarded once', () => {
  const { operator, out } = setup(byAt);
  operator.processWatermark(10_000);
  operator.processWatermark(Infinity);
  operator.processWatermark(Infinity);
  assert.deepEqual(out, [Infinity]);
});

test('idleness: no records for the timeout marks idle, the next record active', () => {
  const { operator, out, tick } = setup(byAt.withIdleness(500));
  operator.collect({ at: 1 });
  tick(1_200);
  assert.deepEqual(out, [-100]);
  tick(1_600);
  assert.deepEqual(out, [-100, 'idle'], '600 ms without records');
  operator.collect({ at: 2_000 });
  assert.deepEqual(out, [-100, 'idle', 'active']);
  tick(1_800);
  assert.deepEqual(out, [-100, 'idle', 'active', 1_899]);
});

test('an assigner returning a non-finite number fails with the operator and the value', () => {
  const bad = WatermarkStrategy.forMonotonousTimestamps<{ at?: number }>().withTimestampAssigner((e) => e.at as number) as WatermarkStrategy<unknown>;
  const { operator } = setup(bad);
  assert.throws(() => operator.collect({}), /Timestamps\/Watermarks \(operator ts-1\) \(1\/1\): the timestamp assigner returned undefined/);
  const nan = WatermarkStrategy.noWatermarks<unknown>().withTimestampAssigner(() => NaN);
  assert.throws(() => setup(nan).operator.collect(1), /returned NaN/);
  assert.throws(() => setup(WatermarkStrategy.noWatermarks()).operator.collect(1), /has no timestamp and the WatermarkStrategy has no timestamp assigner/);
});

test('without an assigner a record keeps the timestamp it has; a custom generator may emit on events', () => {
  const punctuated = WatermarkStrategy.forGenerator<unknown>(() => ({
    onEvent: (_e, ts, output) => output.emitWatermark(ts),
    onPeriodicEmit: () => {},
  }));
  const { operator, out, records, timestamp } = setup(punctuated, 0);
  timestamp.value = 42;
  operator.collect('x');
  assert.deepEqual(records, [['x', 42]]);
  assert.deepEqual(out, [42]);
  assert.equal(operator.msUntilNextTick(0), undefined, 'interval 0: no periodic emission');
});
