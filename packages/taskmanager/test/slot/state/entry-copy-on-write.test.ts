import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapKeyedStateBackend, ProcessingTimeTimerService } from '../../../src/slot/state/index.js';
import { ABSENT, KeyGroupStore, heldTable } from '../../../src/slot/state/key-group-store.js';
import { decodeStateSnapshot } from '../../../src/slot/state/snapshot-codec.js';

/** A store with state 0 (value kind) holding keys 1..n as `{ n: key }`. */
function storeOf(n: number): KeyGroupStore {
  const store = new KeyGroupStore(0);
  const table = store.table(0, false);
  for (let k = 1; k <= n; k++) table.set(k, { n: k });
  return store;
}

test('a write while held records only that entry: the live table and its other values stay the same objects', () => {
  const store = storeOf(1000);
  const table = store.plain[0]!;
  const others = [...table.entries()].filter(([k]) => k !== 7);
  const view = store.hold();
  const written = store.writable(0, false, 'value', 7, true);
  assert.equal(written, table, 'the live table is not replaced');
  written.set(7, { n: 'new' });
  for (const [k, v] of others) assert.equal(table.get(k), v, `key ${String(k)} kept its object`);
  assert.deepEqual([...view.before.get(table)!], [[7, { n: 7 }]]);
  assert.deepEqual(heldTable(view, table)!.get(7), { n: 7 });
  store.release(view);
  assert.equal(store.shared, undefined);
});

test('the held table reads as at the hold: inserted keys absent, deleted keys back, replaced values old', () => {
  const store = storeOf(5);
  const view = store.hold();
  const table = store.plain[0]!;
  store.writable(0, false, 'value', 9, true).set(9, { n: 9 });
  store.writable(0, false, 'value', 2, true).delete(2);
  store.writable(0, false, 'value', 3, true).set(3, 'replaced');
  assert.equal(view.before.get(table)!.get(9), ABSENT);
  const held = heldTable(view, table)!;
  assert.deepEqual(new Map([...held].sort(([a], [b]) => Number(a) - Number(b))), new Map([1, 2, 3, 4, 5].map((k) => [k, { n: k }])));
  assert.deepEqual([...table.keys()].sort(), [1, 3, 4, 5, 9]);
  store.release(view);
});

test('an object read or mutated while held is copied for the live table; the snapshot keeps the original', () => {
  const store = new KeyGroupStore(0);
  store.table(0, false).set('k', { n: 1 });
  store.table(1, false).set('k', [{ a: 1 }]);
  store.table(2, false).set('k', new Map([['u', { b: 1 }]]));
  const originals = [0, 1, 2].map((id) => store.plain[id]!.get('k'));
  const view = store.hold();
  (store.writable(0, false, 'value', 'k').get('k') as { n: number }).n = 2;
  const list = store.writable(1, false, 'list', 'k').get('k') as { a: number }[];
  list[0]!.a = 2;
  list.push({ a: 3 });
  ((store.writable(2, false, 'map', 'k').get('k') as Map<string, { b: number }>).get('u')!).b = 2;
  assert.deepEqual(heldTable(view, store.plain[0])!.get('k'), { n: 1 });
  assert.deepEqual(heldTable(view, store.plain[1])!.get('k'), [{ a: 1 }]);
  assert.deepEqual(heldTable(view, store.plain[2])!.get('k'), new Map([['u', { b: 1 }]]));
  [0, 1, 2].forEach((id, i) => assert.equal(heldTable(view, store.plain[id])!.get('k'), originals[i], 'the snapshot holds the original object'));
  // Once recorded, later touches of the key copy nothing more.
  const live = store.writable(0, false, 'value', 'k').get('k');
  assert.equal(store.writable(0, false, 'value', 'k').get('k'), live);
  store.release(view);
});

test('two holds each keep their own moment of a key', () => {
  const store = storeOf(1);
  const table = store.plain[0]!;
  const first = store.hold();
  store.writable(0, false, 'value', 1, true).set(1, 'after first');
  const second = store.hold();
  store.writable(0, false, 'value', 1, true).set(1, 'after second');
  assert.deepEqual(heldTable(first, table)!.get(1), { n: 1 });
  assert.equal(heldTable(second, table)!.get(1), 'after first');
  store.release(first);
  store.writable(0, false, 'value', 1, true).set(1, 'third');
  assert.equal(heldTable(second, table)!.get(1), 'after first');
  store.release(second);
  assert.equal(store.shared, undefined);
  assert.equal(table.get(1), 'third');
});

const M = 4;
const ALL = Array.from({ length: M }, (_, g) => g);

test('no write made after a snapshot was taken shows in it, for every state kind with and without TTL', () => {
  let now = 1_000_000;
  const b = new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: M, keyGroups: ALL, clock: () => now });
  const ttl = { timeToLive: 1_000_000, cleanup: { incremental: false as const } };
  const states = {
    v: b.getValueState<{ n: number; s: string }>('v'),
    l: b.getListState<{ n: number }>('l'),
    m: b.getMapState<string, { n: number }>('m'),
    tv: b.getValueState<{ n: number }>({ name: 'tv', ttl }),
    tl: b.getListState<number>({ name: 'tl', ttl }),
    tm: b.getMapState<string, number>({ name: 'tm', ttl }),
  };
  const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
  for (const [i, k] of keys.entries()) {
    b.setCurrentKey(k);
    states.v.update({ n: i, s: `text ${i}` });
    states.l.add({ n: i });
    states.m.put('a', { n: i });
    states.tv.update({ n: i });
    states.tl.add(i);
    states.tm.put('a', i);
  }
  const expected = b.snapshotKeyGroups();
  const snapshot = b.snapshot();
  now += 10;
  for (const [i, k] of keys.entries()) {
    b.setCurrentKey(k);
    if (i % 4 === 0) {
      for (const s of Object.values(states)) s.clear();
      continue;
    }
    states.v.value()!.n = -1;
    states.v.update({ n: -2, s: 'later' });
    states.l.get()[0]!.n = -1;
    states.l.add({ n: -3 });
    states.m.get('a')!.n = -1;
    states.m.put('b', { n: -4 });
    states.tv.value()!.n = -1;
    states.tl.add(-5);
    states.tm.put('a', -6);
  }
  for (const k of ['new-1', 'new-2']) {
    b.setCurrentKey(k);
    states.v.update({ n: 7, s: 'new' });
    states.tv.update({ n: 7 });
  }
  const taken = new Map(snapshot.keyGroups.map((g) => [g, Buffer.from(snapshot.encode(g))]));
  assert.deepEqual([...taken.keys()].sort(), [...expected.keys()].sort());
  // The same content as a snapshot encoded at once (entry order inside a table carries no meaning).
  for (const [g, bytes] of expected) assert.deepEqual(decodeStateSnapshot(taken.get(g)!, M, g), decodeStateSnapshot(bytes, M, g), `group ${g}`);
  // The live state kept every write.
  b.setCurrentKey('key-1');
  assert.deepEqual(states.v.value(), { n: -2, s: 'later' });
  assert.deepEqual(states.l.get(), [{ n: -1 }, { n: -3 }]);
  assert.deepEqual([...states.tl.get()], [1, -5]);
  b.setCurrentKey('key-0');
  assert.equal(states.v.value(), undefined);
});

test('snapshots of every kind, TTL and timers round-trip into a fresh backend', () => {
  const b = new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: M, keyGroups: ALL, clock: () => 5_000 });
  const timers = new ProcessingTimeTimerService(b, { clock: () => 5_000 });
  const ttl = { timeToLive: 60_000, cleanup: { incremental: false as const } };
  const v = b.getValueState<unknown>('v');
  const l = b.getListState<unknown>('l');
  const m = b.getMapState<unknown, unknown>('m');
  const tv = b.getValueState<unknown>({ name: 'tv', ttl });
  const keys: unknown[] = [...Array.from({ length: 50 }, (_, i) => i), 'text-key', -1.5, ['composite', 1], [true, 'x', 2]];
  for (const [i, k] of keys.entries()) {
    b.setCurrentKey(k);
    v.update({ count: i, text: 'é'.repeat(i), nested: { deep: [i, null, true] }, nothing: undefined });
    l.add(i);
    l.add(`s${i}`);
    m.put(i, { x: i });
    m.put(`u${i}`, [i]);
    tv.update({ n: i, big: 2 ** 40 + i });
    timers.registerProcessingTimeTimer(10_000 + i);
  }
  const restored = new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: M, keyGroups: ALL, clock: () => 6_000 });
  const restoredTimers = new ProcessingTimeTimerService(restored, { clock: () => 6_000 });
  for (const [g, bytes] of b.snapshotKeyGroups()) restored.restoreKeyGroup(g, bytes);
  for (const g of ALL) if (timers.size(g) > 0) restoredTimers.restoreKeyGroup(g, timers.snapshotKeyGroup(g));
  const rv = restored.getValueState<unknown>('v');
  const rl = restored.getListState<unknown>('l');
  const rm = restored.getMapState<unknown, unknown>('m');
  const rtv = restored.getValueState<unknown>({ name: 'tv', ttl });
  for (const k of keys) {
    b.setCurrentKey(k);
    restored.setCurrentKey(k);
    assert.deepEqual(rv.value(), v.value(), `value of ${JSON.stringify(k)}`);
    assert.deepEqual(rl.get(), l.get());
    assert.deepEqual([...rm.entries()], [...m.entries()]);
    assert.deepEqual(rtv.value(), tv.value());
  }
  assert.deepEqual(restoredTimers.advanceTo(20_000).map((t) => [t.key, t.timestamp]).sort(), timers.advanceTo(20_000).map((t) => [t.key, t.timestamp]).sort());
});
