import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyGroupOf } from '@rivulet/common';
import {
  HeapKeyedStateBackend,
  NoCurrentKeyError,
  ProcessingTimeTimerService,
  StateSnapshotError,
} from '../../../src/slot/state/index.js';

const M = 8;
const ALL = Array.from({ length: M }, (_, g) => g);

function setup(keyGroups: readonly number[] = ALL) {
  const backend = new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: M, keyGroups });
  let now = 1_000;
  const timers = new ProcessingTimeTimerService(backend, { clock: () => now });
  const at = (key: unknown, ...timestamps: number[]) => {
    backend.setCurrentKey(key);
    for (const t of timestamps) timers.registerProcessingTimeTimer(t);
  };
  return { backend, timers, at, setNow: (t: number) => (now = t) };
}

const fired = (list: readonly { key: unknown; timestamp: number }[]) =>
  list.map(({ key, timestamp }) => [key, timestamp]);

test('timers fire in timestamp order, equal timestamps in registration order', () => {
  const { timers, at } = setup();
  at('a', 30, 10);
  at('b', 20, 10);
  at(['c', 1], 10, 5);
  at(7, 40);
  assert.equal(timers.size(), 7);
  assert.equal(timers.nextTimerTimestamp(), 5);
  assert.deepEqual(fired(timers.advanceTo(4)), []);
  assert.deepEqual(fired(timers.advanceTo(20)), [
    [['c', 1], 5],
    ['a', 10],
    ['b', 10],
    [['c', 1], 10],
    ['b', 20],
  ]);
  assert.equal(timers.nextTimerTimestamp(), 30);
  assert.deepEqual(fired(timers.advanceTo(100)), [
    ['a', 30],
    [7, 40],
  ]);
  assert.equal(timers.nextTimerTimestamp(), undefined);
  assert.equal(timers.size(), 0);
});

test('fired timers carry the key group and key of their registration', () => {
  const { timers, at } = setup();
  at(['eu', 42n], 1);
  at('x', 2);
  const [first, second] = timers.advanceTo(2);
  assert.deepEqual(first, { key: ['eu', 42n], keyGroup: keyGroupOf(['eu', 42n], M), timestamp: 1 });
  assert.deepEqual(second, { key: 'x', keyGroup: keyGroupOf('x', M), timestamp: 2 });
});

test('one timer per key and timestamp; keys are separate', () => {
  const { timers, at } = setup();
  at('a', 10, 10, 10);
  at(['a'], 10); // a tuple is another key than the string
  at('b', 10);
  at('a', 10);
  assert.equal(timers.size(), 3);
  assert.deepEqual(fired(timers.advanceTo(10)), [
    ['a', 10],
    [['a'], 10],
    ['b', 10],
  ]);
});

test('delete removes only the current key’s timer at that timestamp', () => {
  const { backend, timers, at } = setup();
  at('a', 10, 20);
  at('b', 10);
  backend.setCurrentKey('a');
  timers.deleteProcessingTimeTimer(10);
  timers.deleteProcessingTimeTimer(99); // none: no-op
  backend.setCurrentKey('c');
  timers.deleteProcessingTimeTimer(20); // another key's: no-op
  assert.equal(timers.size(), 2);
  assert.deepEqual(fired(timers.advanceTo(100)), [
    ['b', 10],
    ['a', 20],
  ]);
  // deleted then registered again fires once
  at('a', 50);
  timers.deleteProcessingTimeTimer(50);
  timers.registerProcessingTimeTimer(50);
  assert.deepEqual(fired(timers.advanceTo(50)), [['a', 50]]);
});

test('deleting the earliest timer moves nextTimerTimestamp on', () => {
  const { backend, timers, at } = setup();
  at('a', 5, 8);
  backend.setCurrentKey('a');
  timers.deleteProcessingTimeTimer(5);
  assert.equal(timers.nextTimerTimestamp(), 8);
});

test('a fired timer can be registered again and fires in a later advanceTo', () => {
  const { backend, timers, at } = setup();
  at('a', 10);
  const [t] = timers.advanceTo(10);
  backend.setCurrentKey(t!.key);
  timers.registerProcessingTimeTimer(t!.timestamp);
  timers.registerProcessingTimeTimer(t!.timestamp + 5);
  assert.deepEqual(fired(timers.advanceTo(10)), [['a', 10]]);
  assert.deepEqual(fired(timers.advanceTo(15)), [['a', 15]]);
});

test('timers need a current key and finite timestamps; clock is the configured one', () => {
  const { backend, timers, setNow } = setup();
  assert.throws(() => timers.registerProcessingTimeTimer(1), NoCurrentKeyError);
  assert.throws(() => timers.deleteProcessingTimeTimer(1), NoCurrentKeyError);
  backend.setCurrentKey('k');
  assert.throws(() => timers.registerProcessingTimeTimer(NaN), RangeError);
  assert.throws(() => timers.registerProcessingTimeTimer(Infinity), RangeError);
  setNow(1234);
  assert.equal(timers.currentProcessingTime(), 1234);
  const wall = new ProcessingTimeTimerService(backend);
  assert.ok(Math.abs(wall.currentProcessingTime() - Date.now()) < 1000);
});

test('timers of a removed key group are dropped; re-adding the group does not revive them', () => {
  const { backend, timers, at } = setup();
  const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
  keys.forEach((k, i) => at(k, i));
  const g = keyGroupOf('k0', M);
  const inG = keys.filter((k) => keyGroupOf(k, M) === g).length;
  assert.equal(timers.size(g), inG);
  backend.removeKeyGroups([g]);
  backend.addKeyGroups([g]);
  assert.equal(timers.size(g), 0);
  assert.equal(timers.size(), keys.length - inG);
  const out = timers.advanceTo(1e9);
  assert.equal(out.length, keys.length - inG);
  assert.ok(out.every((t) => t.keyGroup !== g));
  assert.deepEqual(
    out.map((t) => t.timestamp),
    out.map((t) => t.timestamp).sort((a, b) => a - b),
  );
});

test('many deletions compact the heap without losing live timers', () => {
  const { backend, timers, at } = setup();
  for (let i = 0; i < 5000; i++) at(`k${i % 50}`, i);
  for (let i = 0; i < 5000; i++) {
    if (i % 10 === 0) continue;
    backend.setCurrentKey(`k${i % 50}`);
    timers.deleteProcessingTimeTimer(i);
  }
  assert.equal(timers.size(), 500);
  const out = timers.advanceTo(1e9);
  assert.deepEqual(
    out.map((t) => t.timestamp),
    Array.from({ length: 500 }, (_, i) => i * 10),
  );
});

test('snapshot and restore of timers per key group', () => {
  const a = setup();
  const keys: unknown[] = ['a', 'b', 'c', 1, 2n, ['t', 1], ['t', [2, true]]];
  keys.forEach((k, i) => a.at(k, 100 + i, 50, 200 - i));
  a.backend.setCurrentKey('a');
  a.timers.deleteProcessingTimeTimer(50);
  const snapshots = new Map(ALL.map((g) => [g, a.timers.snapshotKeyGroup(g)]));
  const copies = new Map([...snapshots].map(([g, b]) => [g, Uint8Array.from(b)]));
  a.at('late', 1); // after the snapshot: not in it
  assert.deepEqual(snapshots, copies, 'point-in-time');

  const b = setup();
  for (const [g, bytes] of snapshots) b.timers.restoreKeyGroup(g, bytes);
  assert.equal(b.timers.size(), a.timers.size() - 1);
  const expected = fired(a.timers.advanceTo(1e9)).filter(([k]) => k !== 'late');
  const actual = fired(b.timers.advanceTo(1e9));
  // Same timers, in timestamp order; ties between groups follow restore order.
  assert.deepEqual(
    actual.map(([, t]) => t),
    expected.map(([, t]) => t),
  );
  const byTimestamp = (xs: unknown[][]) => xs.map((x) => JSON.stringify(x, big)).sort();
  assert.deepEqual(byTimestamp(actual), byTimestamp(expected));

  // dedupe still works against restored timers
  const c = setup();
  for (const [g, bytes] of snapshots) c.timers.restoreKeyGroup(g, bytes);
  c.at(['t', [2, true]], 50);
  c.at(2n, 100 + 4);
  assert.equal(c.timers.size(), expected.length);
});

const big = (_: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

test('restoring timers replaces the group and validates the bytes', () => {
  const a = setup();
  a.at('a', 1, 2);
  const g = keyGroupOf('a', M);
  const bytes = a.timers.snapshotKeyGroup(g);
  a.at('a', 3);
  a.timers.restoreKeyGroup(g, bytes);
  assert.deepEqual(fired(a.timers.advanceTo(10)), [
    ['a', 1],
    ['a', 2],
  ]);
  const other = (g + 1) % M;
  assert.throws(() => a.timers.restoreKeyGroup(other, bytes), StateSnapshotError);
  assert.throws(() => a.timers.restoreKeyGroup(g, a.backend.snapshotKeyGroup(g)), /format/);
  const narrow = setup([other]);
  assert.throws(() => narrow.timers.restoreKeyGroup(g, bytes), RangeError);
  assert.throws(() => narrow.timers.snapshotKeyGroup(g), RangeError);
});
