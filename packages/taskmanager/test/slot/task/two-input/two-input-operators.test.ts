import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessJoinFunction } from '@rivulet/api';
import { HeapKeyedStateBackend } from '../../../../src/slot/state/index.js';
import { ElementTimestamp } from '../../../../src/slot/task/event-time/element-timestamp.js';
import { TwoInputWatermarks } from '../../../../src/slot/task/event-time/two-input-watermarks.js';
import { staticRuntimeContext } from '../../../../src/slot/task/runtime-context.js';
import { BroadcastStates } from '../../../../src/slot/task/operators/two-input/broadcast-states.js';
import { IntervalJoinOperator, type IntervalJoinBounds } from '../../../../src/slot/task/operators/two-input/interval-join-operator.js';
import { CoMapOperator } from '../../../../src/slot/task/operators/two-input/co-operators.js';
import { redistributeOperatorListState } from '@rivulet/common';

const noWatermarks = { processWatermark: () => undefined, processWatermarkStatus: () => undefined };

describe('two-input watermarks (Flink: min of both inputs, each combined over its channels first)', () => {
  test('the operator watermark is the minimum of the two inputs and waits for both', () => {
    const out: number[] = [];
    // channels: 0 -> input 1, 1 -> input 2, 2 -> input 1
    const valve = new TwoInputWatermarks([1, 2, 1], { watermark: (t) => void out.push(t), status: () => undefined });
    valve.inputWatermark(0, 100);
    valve.inputWatermark(2, 50);
    assert.deepEqual(out, [], 'input 2 has no watermark yet');
    valve.inputWatermark(1, 70);
    assert.deepEqual(out, [50], 'input 1 is at min(100, 50)');
    valve.inputWatermark(2, 200);
    assert.deepEqual(out, [50, 70], 'now input 2 holds it back');
    valve.channelEnded(1);
    assert.deepEqual(out, [50, 70, 100]);
    assert.equal(valve.currentWatermark, 100);
  });

  test('an idle input does not hold the other back; both idle make the operator idle', () => {
    const out: (number | string)[] = [];
    const valve = new TwoInputWatermarks([1, 2], { watermark: (t) => void out.push(t), status: (idle) => void out.push(idle ? 'idle' : 'active') });
    valve.inputStatus(1, true);
    valve.inputWatermark(0, 10);
    assert.deepEqual(out, [10]);
    valve.inputStatus(0, true);
    assert.deepEqual(out, [10, 'idle']);
  });
});

describe('CoMap', () => {
  test('records of input 1 go through map1, of input 2 through map2', () => {
    const seen: unknown[] = [];
    const operator = new CoMapOperator({ map1: (v) => `1:${String(v)}`, map2: (v) => `2:${String(v)}` }, { collect: (r) => void seen.push(r) }, staticRuntimeContext('co', 0, 1, 128), noWatermarks);
    operator.first.collect('x');
    operator.second.collect('y');
    assert.deepEqual(seen, ['1:x', '2:y']);
  });
});

function intervalJoin(bounds: IntervalJoinBounds): { op: IntervalJoinOperator; out: string[]; ts: ElementTimestamp; backend: HeapKeyedStateBackend } {
  const backend = new HeapKeyedStateBackend({ operatorId: 'ij', maxParallelism: 8, keyGroups: [0, 1, 2, 3, 4, 5, 6, 7] });
  const out: string[] = [];
  const ts = new ElementTimestamp();
  const fn: ProcessJoinFunction<unknown, unknown, unknown> = {
    processElement: (l, r, ctx, collector) => collector.collect(`${String(l)}+${String(r)}@${ctx.timestamp()}`),
  };
  const op = new IntervalJoinOperator(backend, () => 'k', () => 'k', fn, bounds, { collect: (r) => void out.push(r as string) }, staticRuntimeContext('ij', 0, 1, 8), ts, noWatermarks, () => undefined, 'ij');
  return { op, out, ts, backend };
}

describe('interval join (Flink\'s IntervalJoinOperator)', () => {
  const left = (j: ReturnType<typeof intervalJoin>, value: string, t: number): void => {
    j.ts.value = t;
    j.op.first.collect(value);
  };
  const right = (j: ReturnType<typeof intervalJoin>, value: string, t: number): void => {
    j.ts.value = t;
    j.op.second.collect(value);
  };

  test('bounds: inclusive by default, exclusive when asked, from either side', () => {
    const j = intervalJoin({ lowerBound: -10, upperBound: 10, lowerBoundInclusive: true, upperBoundInclusive: false });
    left(j, 'L', 100);
    right(j, 'r90', 90); // lower bound, inclusive
    right(j, 'r110', 110); // upper bound, exclusive
    right(j, 'r105', 105);
    left(j, 'L2', 120); // r110 at 120-10: inclusive
    assert.deepEqual(j.out, ['L+r90@100', 'L+r105@105', 'L2+r110@120']);
  });

  test('cleanup: once the watermark passes, buffered records are removed and late ones dropped', () => {
    const j = intervalJoin({ lowerBound: -5, upperBound: 5, lowerBoundInclusive: true, upperBoundInclusive: true });
    left(j, 'L', 100);
    j.op.processWatermark(106); // left 100 can join rights up to 105: cleaned
    right(j, 'r104', 104); // behind the watermark: late, dropped
    right(j, 'r107', 107);
    assert.deepEqual(j.out, []);
    j.backend.setCurrentKey('k');
    assert.equal(j.backend.getMapState('interval-join/left').isEmpty(), true);
    left(j, 'L2', 110);
    assert.deepEqual(j.out, ['L2+r107@110']);
  });

  test('a record without a timestamp fails with a clear error', () => {
    const j = intervalJoin({ lowerBound: 0, upperBound: 1, lowerBoundInclusive: true, upperBoundInclusive: true });
    j.ts.value = NaN;
    assert.throws(() => j.op.first.collect('x'), /has no timestamp/);
  });
});

describe('broadcast state', () => {
  test('snapshot, restored at another parallelism: every new subtask gets the whole map', () => {
    const descriptors = [{ name: 'rules' }];
    const old = [0, 1].map(() => new BroadcastStates('op', descriptors, undefined));
    for (const states of old) {
      const rules = states.get({ name: 'rules' }, true);
      rules.put('a', 1);
      rules.put('b', 2);
    }
    const snapshots = old.map((s, subtaskIndex) => ({ subtaskIndex, state: s.snapshot() as never }));
    const shares = redistributeOperatorListState('op', snapshots, 3, true);
    assert.equal(shares.length, 3);
    for (const share of shares) {
      const restored = new BroadcastStates('op', descriptors, share);
      assert.deepEqual([...restored.get({ name: 'rules' }, false).entries()], [['a', 1], ['b', 2]]);
    }
  });

  test('read-only in processElement; an undeclared descriptor is named in the error', () => {
    const states = new BroadcastStates('op', [{ name: 'rules' }], undefined);
    assert.throws(() => states.get({ name: 'rules' }, false).put('x', 1), /read-only in processElement/);
    assert.throws(() => states.get({ name: 'other' }, false), /no broadcast state "other".*'rules'/);
  });
});
