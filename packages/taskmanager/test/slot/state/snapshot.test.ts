import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyGroupOf } from '@rivulet/common';
import {
  HeapKeyedStateBackend,
  StateKindMismatchError,
  StateSnapshotError,
} from '../../../src/slot/state/index.js';

const M = 8;
const ALL = Array.from({ length: M }, (_, g) => g);
const backend = (keyGroups: readonly number[] = ALL, operatorId = 'op') =>
  new HeapKeyedStateBackend({ operatorId, maxParallelism: M, keyGroups });

/** `count` keys per group of `groups`, found deterministically. */
function keysIn(groups: readonly number[], count: number): Map<number, string[]> {
  const out = new Map(groups.map((g) => [g, [] as string[]]));
  for (let i = 0; [...out.values()].some((ks) => ks.length < count); i++) {
    const k = `key-${i}`;
    const ks = out.get(keyGroupOf(k, M));
    if (ks !== undefined && ks.length < count) ks.push(k);
  }
  return out;
}

function fill(b: HeapKeyedStateBackend, keys: readonly unknown[]): void {
  const v = b.getValueState<unknown>('v');
  const l = b.getListState<unknown>('l');
  const m = b.getMapState<string, unknown>('m');
  keys.forEach((k, i) => {
    b.setCurrentKey(k);
    v.update({
      i,
      name: `n${i}`,
      at: new Date(i * 1000),
      big: BigInt(i) ** 5n,
      nested: new Map([[i, [i]]]),
    });
    l.add(i);
    l.add(`s${i}`);
    m.put('x', i * 1.5);
    m.put('y', [i, { deep: true }]);
  });
}

function read(b: HeapKeyedStateBackend, keys: readonly unknown[]): unknown[] {
  const v = b.getValueState<unknown>('v');
  const l = b.getListState<unknown>('l');
  const m = b.getMapState<string, unknown>('m');
  return keys.map((k) => {
    b.setCurrentKey(k);
    return [v.value(), [...l.get()], [...m.entries()]];
  });
}

test('restoring every group into a fresh backend gives the same values', () => {
  const keys = [...keysIn(ALL, 5).values()]
    .flat()
    .concat([[1, 'a'] as never, 42 as never, 7n as never]);
  const a = backend();
  fill(a, keys);
  const snapshots = a.snapshotKeyGroups();
  assert.deepEqual([...snapshots.keys()], ALL);

  const b = backend();
  for (const [g, bytes] of snapshots) b.restoreKeyGroup(g, bytes);
  assert.deepEqual(read(b, keys), read(a, keys));
  assert.deepEqual(b.registeredStates(), [
    { name: 'v', kind: 'value' },
    { name: 'l', kind: 'list' },
    { name: 'm', kind: 'map' },
  ]);
  for (const g of ALL) {
    assert.equal(b.keyGroupStats(g).keys, a.keyGroupStats(g).keys);
    assert.equal(b.keyGroupStats(g).entries, a.keyGroupStats(g).entries);
    assert.equal(b.keyGroupStats(g).snapshotBytes, snapshots.get(g)!.byteLength);
  }
});

test('a snapshot is point-in-time: later updates and snapshots do not change it', () => {
  const [g, keys] = [...keysIn([3], 4)][0]!;
  const a = backend();
  fill(a, keys);
  const bytes = a.snapshotKeyGroup(g);
  const copy = Uint8Array.from(bytes);
  const before = structuredClone(read(a, keys)); // read() returns the stored objects

  // Mutate everything in place and through the states, then snapshot again.
  const v = a.getValueState<{ i: number }>('v');
  for (const k of keys) {
    a.setCurrentKey(k);
    v.value()!.i = -1;
    v.update({ i: 1000 });
    a.getListState<unknown>('l').add('later');
    a.getMapState<string, unknown>('m').put('z', 0);
  }
  a.setCurrentKey('brand-new');
  a.getValueState('other').update(1);
  a.snapshotKeyGroup(g);
  a.snapshotKeyGroups();
  assert.deepEqual(bytes, copy, 'bytes unchanged');
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.buffer.byteLength, bytes.byteLength, 'bytes own their buffer');

  const b = backend();
  b.restoreKeyGroup(g, bytes);
  assert.deepEqual(read(b, keys), before);
});

test('restore replaces the group contents and registers unknown states', () => {
  const [g, keys] = [...keysIn([2], 3)][0]!;
  const a = backend();
  fill(a, keys);
  const bytes = a.snapshotKeyGroup(g);
  const b = backend();
  b.setCurrentKey(keys[0]!);
  b.getValueState<string>('v').update('stale');
  b.getValueState<string>('only-here').update('gone after restore');
  b.restoreKeyGroup(g, bytes);
  assert.equal(b.currentKeyGroup, -1, 'restore clears the current key');
  b.setCurrentKey(keys[0]!);
  assert.deepEqual(read(b, keys), read(a, keys));
  assert.equal(b.getValueState('only-here').value(), undefined);

  const c = backend();
  c.getListState('v');
  assert.throws(() => c.restoreKeyGroup(g, bytes), StateKindMismatchError);
});

test('restore rejects bytes of another group, maxParallelism or format', () => {
  const a = backend();
  a.setCurrentKey('k');
  a.getValueState('v').update(1);
  const g = a.currentKeyGroup;
  const bytes = a.snapshotKeyGroup(g);
  const other = (g + 1) % M;
  assert.throws(
    () => a.restoreKeyGroup(other, bytes),
    (err: unknown) =>
      err instanceof StateSnapshotError &&
      err.keyGroup === other &&
      /bytes hold key group/.test(err.message),
  );
  const wide = new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: 16, keyGroups: [g] });
  assert.throws(() => wide.restoreKeyGroup(g, bytes), /maxParallelism 8/);
  assert.throws(() => a.restoreKeyGroup(g, Uint8Array.of(1, 2, 3)), StateSnapshotError);
  assert.throws(() => a.restoreKeyGroup(g, new Uint8Array(0)), StateSnapshotError);
  const notOwned = backend([other]);
  assert.throws(() => notOwned.restoreKeyGroup(g, bytes), RangeError);
});

test('an empty group snapshots and restores to empty', () => {
  const a = backend();
  const b = backend();
  b.setCurrentKey('x');
  b.getValueState('v').update(1);
  b.restoreKeyGroup(b.currentKeyGroup, a.snapshotKeyGroup(b.currentKeyGroup));
  assert.equal(b.keyGroupStats(keyGroupOf('x', M)).keys, 0);
});

test('removing a group drops its keys; adding it back starts empty; others are untouched', () => {
  const byGroup = keysIn([1, 5], 3);
  const a = backend();
  fill(a, [...byGroup.values()].flat());
  const v = a.getValueState<{ i: number }>('v');
  a.setCurrentKey(byGroup.get(1)![0]!);
  a.removeKeyGroups([1, 1]);
  assert.equal(a.currentKeyGroup, -1, 'the current key went with its group');
  assert.deepEqual(a.ownedKeyGroups(), [0, 2, 3, 4, 5, 6, 7]);
  assert.equal(a.isOwned(1), false);
  assert.throws(() => a.setCurrentKey(byGroup.get(1)![0]!), /key group 1/);
  assert.throws(() => a.snapshotKeyGroup(1), RangeError);
  a.addKeyGroups([1]);
  assert.equal(a.keyGroupStats(1).keys, 0);
  a.setCurrentKey(byGroup.get(1)![0]!);
  assert.equal(v.value(), undefined);
  a.setCurrentKey(byGroup.get(5)![0]!);
  assert.ok(v.value() !== undefined);
  assert.equal(a.keyGroupStats(5).keys, 3);
});

test('moving groups between two backends (a rescale) keeps every value', () => {
  const keys = [...keysIn(ALL, 4).values()].flat();
  const left = backend([0, 1, 2, 3, 4, 5, 6, 7], 'op');
  fill(left, keys);
  const expected = read(left, keys);
  const right = backend([], 'op');
  const moving = [5, 6, 7];
  right.addKeyGroups(moving);
  for (const g of moving) right.restoreKeyGroup(g, left.snapshotKeyGroup(g));
  left.removeKeyGroups(moving);
  const actual = keys.map((k) => {
    const owner = moving.includes(keyGroupOf(k, M)) ? right : left;
    return read(owner, [k])[0];
  });
  assert.deepEqual(actual, expected);
});

test('stats count distinct keys across states and entries per state', () => {
  const b = backend();
  const keys = keysIn([4], 3).get(4)!;
  b.setCurrentKey(keys[0]!);
  b.getValueState('a').update(1);
  b.getValueState('b').update(1);
  b.setCurrentKey(keys[1]!);
  b.getValueState('a').update(1);
  b.setCurrentKey([keys[2]!]);
  if (b.currentKeyGroup === 4) b.getValueState('a').update(1);
  const stats = b.keyGroupStats(4);
  const composite = keyGroupOf([keys[2]!], M) === 4 ? 1 : 0;
  assert.equal(stats.keys, 2 + composite);
  assert.equal(stats.entries, 3 + composite);
  assert.equal(stats.snapshotBytes, undefined);
});

test('keys and values keep their types through snapshot and restore', () => {
  const keys: unknown[] = [
    2 ** 40,
    2 ** 53 - 1,
    -(2 ** 53 - 1),
    1_700_000_000_123,
    -0.25,
    1n,
    -(2n ** 80n),
    false,
    '',
    'ünïcødé 😀',
    ['a', 2 ** 40, 3n, [true]],
  ];
  const values: unknown[] = [
    2 ** 40,
    2 ** 53 - 1,
    1n,
    2n ** 70n,
    null,
    [undefined, 1],
    { a: { b: [1, 'x'] } },
    new Map<unknown, unknown>([[1, 'one'], ['1', 'string one']]),
    new Set([1, 2]),
    new Date(1_700_000_000_000),
    Uint8Array.of(1, 2, 3),
  ];
  const a = backend();
  const v = a.getValueState<unknown>('v');
  keys.forEach((k, i) => {
    a.setCurrentKey(k);
    v.update(values[i % values.length]);
  });
  const b = backend();
  for (const [g, bytes] of a.snapshotKeyGroups()) b.restoreKeyGroup(g, bytes);
  const restored = b.getValueState<unknown>('v');
  keys.forEach((k, i) => {
    b.setCurrentKey(k);
    assert.deepEqual(restored.value(), values[i % values.length], `key ${String(k)}`);
  });
});
