import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyGroupOf } from '@rivulet/common';
import { HeapKeyedStateBackend } from '../../../src/slot/state/index.js';

const M = 8;
const ALL = Array.from({ length: M }, (_, g) => g);
const backend = () => new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: M, keyGroups: ALL });

/** What the snapshot's bytes hold, restored into a fresh backend and read back. */
function restoredValue(bytes: Uint8Array, group: number, key: string, read: (b: HeapKeyedStateBackend) => unknown): unknown {
  const b = backend();
  b.restoreKeyGroup(group, bytes);
  b.setCurrentKey(key);
  return read(b);
}

test('a value mutated in place after the barrier, before its group was serialized, is not in the snapshot', () => {
  const b = backend();
  const count = b.getValueState<{ n: number }>('count');
  b.setCurrentKey('k');
  count.update({ n: 1 });
  const snapshot = b.snapshot();

  const live = count.value()!;
  live.n += 1; // the idiom: read, mutate in place, write back
  count.update(live);
  assert.equal(count.value()!.n, 2);

  const group = keyGroupOf('k', M);
  const bytes = snapshot.encode(group);
  assert.deepEqual(restoredValue(bytes, group, 'k', (r) => r.getValueState('count').value()), { n: 1 });
});

test('a reduce function that mutates its accumulator in place cannot change the snapshot', () => {
  const b = backend();
  const state = b.getValueState<{ total: number }>('reduce');
  const reduce = (acc: { total: number }, value: number): { total: number } => {
    acc.total += value; // allowed: the accumulator is the function's input
    return acc;
  };
  b.setCurrentKey(7);
  state.update({ total: 10 });
  const snapshot = b.snapshot();
  for (let i = 0; i < 3; i++) state.update(reduce(state.value()!, 5));
  assert.equal(state.value()!.total, 25);
  const group = keyGroupOf(7, M);
  const r = backend();
  r.restoreKeyGroup(group, snapshot.encode(group));
  r.setCurrentKey(7);
  assert.deepEqual(r.getValueState('reduce').value(), { total: 10 });
});

test('list elements and map values mutated in place are not in the snapshot either', () => {
  const b = backend();
  const list = b.getListState<{ v: number }>('list');
  const map = b.getMapState<string, { v: number }>('map');
  b.setCurrentKey('k');
  list.add({ v: 1 });
  map.put('a', { v: 1 });
  const snapshot = b.snapshot();
  list.get()[0]!.v = 2;
  map.get('a')!.v = 2;
  for (const [, value] of map.entries()) value.v += 1;
  assert.equal(list.get()[0]!.v, 2);
  assert.equal(map.get('a')!.v, 3);
  const group = keyGroupOf('k', M);
  const bytes = snapshot.encode(group);
  assert.deepEqual(restoredValue(bytes, group, 'k', (r) => [...r.getListState('list').get()]), [{ v: 1 }]);
  assert.deepEqual(restoredValue(bytes, group, 'k', (r) => r.getMapState('map').get('a')), { v: 1 });
});

test('a key is copied once per snapshot: two reads return the same object', () => {
  const b = backend();
  const state = b.getValueState<{ n: number }>('s');
  b.setCurrentKey('k');
  state.update({ n: 1 });
  const stored = state.value();
  assert.equal(state.value(), stored, 'without a snapshot, the stored object itself');
  const snapshot = b.snapshot();
  const first = state.value()!;
  assert.notEqual(first, stored, 'a copy while the snapshot holds the group');
  assert.equal(state.value(), first, 'the same copy on the next read');
  first.n = 5;
  assert.equal(state.value()!.n, 5);
  snapshot.release();
  assert.equal(state.value(), first, 'after the snapshot, the live value');
});

test('a second snapshot taken while the first is held keeps its own moment', () => {
  const b = backend();
  const state = b.getValueState<{ n: number }>('s');
  b.setCurrentKey('k');
  state.update({ n: 1 });
  const first = b.snapshot();
  state.value()!.n = 2;
  const second = b.snapshot();
  state.value()!.n = 3;
  const group = keyGroupOf('k', M);
  const read = (r: HeapKeyedStateBackend): unknown => r.getValueState('s').value();
  assert.deepEqual(restoredValue(first.encode(group), group, 'k', read), { n: 1 });
  assert.deepEqual(restoredValue(second.encode(group), group, 'k', read), { n: 2 });
  assert.deepEqual(state.value(), { n: 3 });
});

test('an object default value is copied: mutating it changes no other key', () => {
  const b = backend();
  const state = b.getValueState<{ n: number }>('s', { n: 0 });
  b.setCurrentKey('a');
  const a = state.value()!;
  a.n += 1;
  state.update(a);
  b.setCurrentKey('b');
  assert.deepEqual(state.value(), { n: 0 });
});

test('a state value a record may not hold (a class instance) is still readable while a snapshot is held', () => {
  class Counter {
    n = 1;
  }
  const b = backend();
  const state = b.getValueState<Counter>('s');
  b.setCurrentKey('k');
  state.update(new Counter());
  const snapshot = b.snapshot();
  const copy = state.value()!;
  copy.n = 2;
  const group = keyGroupOf('k', M);
  assert.deepEqual(restoredValue(snapshot.encode(group), group, 'k', (r) => r.getValueState('s').value()), { n: 1 });
});
