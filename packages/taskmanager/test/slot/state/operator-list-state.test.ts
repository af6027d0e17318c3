import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckpointRestoreError, redistributeOperatorListState, type OperatorListStateSnapshot } from '@rivulet/common';
import { OperatorListStateStore } from '../../../src/slot/state/operator-list-state-store.js';

/** Old subtask i held split list 'l' with `counts[i]` elements `s<i>-<j>`, and union list 'u' with one element `u<i>`. */
function oldStates(counts: readonly number[]) {
  return counts.map((count, i) => {
    const store = new OperatorListStateStore('op');
    const l = store.getListState<string>('l');
    for (let j = 0; j < count; j++) l.add(`s${i}-${j}`);
    store.getUnionListState<string>('u').add(`u${i}`);
    return { subtaskIndex: i, state: store.snapshot() as unknown as import('@rivulet/common').JsonValue };
  });
}

function restoredLists(shares: readonly OperatorListStateSnapshot[]) {
  return shares.map((share) => {
    const store = new OperatorListStateStore('op', share);
    return { l: [...store.getListState<string>('l').get()], u: [...store.getUnionListState<string>('u').get()] };
  });
}

test('split lists: every element exactly once, in contiguous parts differing by at most one, at a smaller and a larger parallelism', () => {
  const previous = oldStates([5, 0, 2]);
  const all = ['s0-0', 's0-1', 's0-2', 's0-3', 's0-4', 's2-0', 's2-1'];
  for (const p of [2, 5]) {
    const lists = restoredLists(redistributeOperatorListState('op', previous, p, true));
    assert.deepEqual(lists.flatMap((s) => s.l), all, `p=${p}: all elements once, in order`);
    const sizes = lists.map((s) => s.l.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `p=${p}: sizes ${sizes}`);
    for (const s of lists) assert.deepEqual(s.u, ['u0', 'u1', 'u2'], `p=${p}: union list whole everywhere`);
  }
});

test('at unchanged parallelism split lists stay with their subtask; union lists are still given whole', () => {
  const lists = restoredLists(redistributeOperatorListState('op', oldStates([2, 1]), 2, false));
  assert.deepEqual(lists.map((s) => s.l), [['s0-0', 's0-1'], ['s1-0']]);
  assert.deepEqual(lists.map((s) => s.u), [['u0', 'u1'], ['u0', 'u1']]);
});

test('a list that is split in one subtask and union in another cannot be restored', () => {
  const a = new OperatorListStateStore('op');
  a.getListState('x').add(1);
  const b = new OperatorListStateStore('op');
  b.getUnionListState('x').add(2);
  const previous = [a, b].map((s, i) => ({ subtaskIndex: i, state: s.snapshot() as never }));
  assert.throws(() => redistributeOperatorListState('op', previous, 2, true), (e: unknown) => e instanceof CheckpointRestoreError && /split list in one subtask and a union list/.test(e.message));
});

test('the store: values of many kinds survive, a snapshot is a copy of its moment, modes cannot be mixed', () => {
  const store = new OperatorListStateStore('op');
  const l = store.getListState<unknown>('l');
  const value = { n: 1, at: new Date(5), m: new Map([['k', 2n]]), s: new Set([1]) };
  l.add(value);
  const snapshot = store.snapshot()!;
  value.n = 2;
  l.add('later');
  const [restored] = new OperatorListStateStore('op', snapshot).getListState<typeof value>('l').get();
  assert.deepEqual(restored, { n: 1, at: new Date(5), m: new Map([['k', 2n]]), s: new Set([1]) });
  assert.throws(() => store.getUnionListState('l'), /is a list state \(getListState\), it cannot be used through getUnionListState/);
  assert.equal(new OperatorListStateStore('op').snapshot(), null, 'no lists: no state');
  l.update([]);
  assert.deepEqual(l.get(), []);
  l.add(() => 1);
  assert.throws(() => store.snapshot(), /list state "l" holds an element that cannot be stored/);
});
