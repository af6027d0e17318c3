import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeKey, keyGroupOf, KeyTypeError } from '@rivulet/common';
import {
  createRuntimeContext,
  HeapKeyedStateBackend,
  KeyGroupNotOwnedError,
  NoCurrentKeyError,
  StateKindMismatchError,
} from '../../../src/slot/state/index.js';

const M = 16;
const ALL = Array.from({ length: M }, (_, g) => g);
const backend = (keyGroups: readonly number[] = ALL) =>
  new HeapKeyedStateBackend({ operatorId: 'op-1', maxParallelism: M, keyGroups });

test('value state is scoped to the current key', () => {
  const b = backend();
  const count = b.getValueState<number>('count');
  b.setCurrentKey('alice');
  count.update(1);
  b.setCurrentKey('bob');
  assert.equal(count.value(), undefined);
  count.update(10);
  b.setCurrentKey('alice');
  assert.equal(count.value(), 1);
  count.update((count.value() ?? 0) + 1);
  assert.equal(count.value(), 2);
  b.setCurrentKey('bob');
  assert.equal(count.value(), 10);
  count.clear();
  assert.equal(count.value(), undefined);
  b.setCurrentKey('alice');
  assert.equal(count.value(), 2);
});

test('keys of different types are different keys; 0 and -0 are one key', () => {
  const b = backend();
  const s = b.getValueState<string>('s');
  const keys = ['1', 1, 1n, true, 'true', [1], ['1'], [[1]]] as const;
  keys.forEach((k, i) => {
    b.setCurrentKey(k);
    s.update(`v${i}`);
  });
  keys.forEach((k, i) => {
    b.setCurrentKey(k);
    assert.equal(s.value(), `v${i}`, `key ${String(k)}`);
  });
  b.setCurrentKey(0);
  s.update('zero');
  b.setCurrentKey(-0);
  assert.equal(s.value(), 'zero');
});

test('default value is returned for keys without a value, and after clear', () => {
  const b = backend();
  const sum = b.getValueState('sum', 100);
  b.setCurrentKey('k');
  assert.equal(sum.value(), 100);
  sum.update(5);
  assert.equal(sum.value(), 5);
  sum.update(undefined as unknown as number); // update(undefined) clears, like Flink's update(null)
  assert.equal(sum.value(), 100);
  assert.equal(b.keyGroupStats(b.currentKeyGroup).entries, 0);
});

test('list state: get, add, update (copies), clear', () => {
  const b = backend();
  const list = b.getListState<string>('events');
  b.setCurrentKey('k1');
  assert.deepEqual(list.get(), []);
  list.add('a');
  list.add('b');
  assert.deepEqual(list.get(), ['a', 'b']);
  const replacement = ['x', 'y'];
  list.update(replacement);
  replacement.push('z');
  assert.deepEqual(list.get(), ['x', 'y'], 'update stores a copy');
  b.setCurrentKey('k2');
  assert.deepEqual(list.get(), []);
  list.add('c');
  b.setCurrentKey('k1');
  list.update([]);
  assert.deepEqual(list.get(), []);
  b.setCurrentKey('k2');
  assert.deepEqual(list.get(), ['c']);
  list.clear();
  assert.deepEqual(list.get(), []);
});

test('map state: put, get, contains, remove, iteration, isEmpty, clear', () => {
  const b = backend();
  const map = b.getMapState<string, number>('m');
  b.setCurrentKey(['user', 7]);
  assert.equal(map.isEmpty(), true);
  assert.deepEqual([...map.entries()], []);
  map.put('a', 1);
  map.put('b', 2);
  map.put('a', 3);
  assert.equal(map.get('a'), 3);
  assert.equal(map.contains('b'), true);
  assert.equal(map.contains('c'), false);
  assert.deepEqual(
    [...map.entries()],
    [
      ['a', 3],
      ['b', 2],
    ],
  );
  assert.deepEqual([...map.keys()], ['a', 'b']);
  assert.deepEqual([...map.values()], [3, 2]);
  b.setCurrentKey(['user', 8]);
  assert.equal(map.isEmpty(), true);
  map.put('a', 99);
  b.setCurrentKey(['user', 7]);
  map.remove('a');
  map.remove('nope');
  assert.deepEqual([...map.keys()], ['b']);
  map.remove('b');
  assert.equal(map.isEmpty(), true);
  assert.equal(b.keyGroupStats(b.currentKeyGroup).keys, 0, 'an emptied map is no key');
  b.setCurrentKey(['user', 8]);
  assert.equal(map.get('a'), 99);
  map.clear();
  assert.equal(map.isEmpty(), true);
});

test('composite keys: equal tuples share state, whatever array object carries them', () => {
  const b = backend();
  const v = b.getValueState<string>('v');
  b.setCurrentKey(['eu', 42, true]);
  v.update('first');
  b.setCurrentKey(['eu', 42, true]);
  assert.equal(v.value(), 'first');
  b.setCurrentKey(['eu', 42, false]);
  assert.equal(v.value(), undefined);
  b.setCurrentKey(['eu', [42, 1n]]);
  v.update('nested');
  b.setCurrentKey(['eu', [42, 1n]]);
  assert.equal(v.value(), 'nested');
  // The storage reference of a tuple is its canonical encoding as a latin1
  // string; a string key with exactly that content is still another key.
  const tuple = ['eu', 42, true];
  const lookalike = Buffer.from(encodeKey(tuple)).toString('latin1');
  b.setCurrentKey(lookalike);
  assert.equal(v.value(), undefined);
  v.update('string key');
  b.setCurrentKey(tuple);
  assert.equal(v.value(), 'first');
  assert.equal(b.keyGroupStats(b.currentKeyGroup).keys >= 1, true);
});

test('current key group matches keyGroupOf, for primitives and tuples', () => {
  const b = backend();
  for (const key of ['a', 'user-42', 7, -1, 1.5, 2n ** 70n, true, ['a', 1], [['x'], 2n]]) {
    b.setCurrentKey(key);
    assert.equal(b.currentKeyGroup, keyGroupOf(key, M));
    assert.deepEqual(b.getCurrentKey(), key);
  }
});

test('a key of a group the subtask does not own is a routing bug, named clearly', () => {
  const owned = [0, 1, 2, 3];
  const b = backend(owned);
  const foreign = Array.from({ length: 1000 }, (_, i) => `key-${i}`).find(
    (k) => !owned.includes(keyGroupOf(k, M)),
  )!;
  const group = keyGroupOf(foreign, M);
  assert.throws(
    () => b.setCurrentKey(foreign),
    (err: unknown) => {
      assert.ok(err instanceof KeyGroupNotOwnedError);
      assert.equal(err.code, 'KEY_GROUP_NOT_OWNED');
      assert.equal(err.keyGroup, group);
      assert.equal(err.operatorId, 'op-1');
      assert.equal(err.key, foreign);
      assert.match(err.message, new RegExp(`"${foreign}".*key group ${group}.*"op-1"`));
      return true;
    },
  );
  assert.equal(b.currentKeyGroup, -1, 'a failed setCurrentKey leaves no current key');
  assert.throws(() => b.getValueState('x').value(), NoCurrentKeyError);
});

test('invalid keys throw KeyTypeError', () => {
  const b = backend();
  for (const key of [undefined, null, NaN, {}, [1, undefined], new Date(0)]) {
    assert.throws(() => b.setCurrentKey(key), KeyTypeError, String(key));
  }
});

test('state access without a current key throws NoCurrentKeyError', () => {
  const b = backend();
  const v = b.getValueState<number>('v', 1);
  const l = b.getListState<number>('l');
  const m = b.getMapState<string, number>('m');
  for (const call of [
    () => v.value(),
    () => v.update(1),
    () => v.clear(),
    () => l.get(),
    () => l.add(1),
    () => m.get('a'),
    () => m.put('a', 1),
    () => m.isEmpty(),
    () => b.getCurrentKey(),
  ]) {
    assert.throws(call, NoCurrentKeyError);
  }
  b.setCurrentKey('k');
  v.update(2);
  b.clearCurrentKey();
  assert.throws(() => v.value(), NoCurrentKeyError);
});

test('one name is one state: same object again, another kind is an error', () => {
  const b = backend();
  const v = b.getValueState<number>('s', 0);
  assert.equal(b.getValueState<number>('s'), v);
  assert.equal(b.getListState('l'), b.getListState('l'));
  assert.equal(b.getMapState('m'), b.getMapState('m'));
  assert.throws(
    () => b.getListState('s'),
    (err: unknown) =>
      err instanceof StateKindMismatchError &&
      err.registeredKind === 'value' &&
      err.requestedKind === 'list' &&
      /"s".*value state.*list state/.test(err.message),
  );
  assert.throws(() => b.getMapState('l'), StateKindMismatchError);
  assert.throws(() => b.getValueState(''), TypeError);
});

test('constructor validates its options', () => {
  assert.throws(
    () => new HeapKeyedStateBackend({ operatorId: '', maxParallelism: 8, keyGroups: [] }),
  );
  assert.throws(
    () => new HeapKeyedStateBackend({ operatorId: 'o', maxParallelism: 0, keyGroups: [] }),
  );
  assert.throws(
    () => new HeapKeyedStateBackend({ operatorId: 'o', maxParallelism: 8, keyGroups: [8] }),
    RangeError,
  );
  const b = new HeapKeyedStateBackend({ operatorId: 'o', maxParallelism: 8, keyGroups: [5, 1, 5] });
  assert.deepEqual(b.ownedKeyGroups(), [1, 5]);
});

test('createRuntimeContext exposes identity and the backend state getters', () => {
  const b = backend();
  const ctx = createRuntimeContext({ backend: b, subtaskIndex: 1, parallelism: 4 });
  assert.equal(ctx.operatorId, 'op-1');
  assert.equal(ctx.maxParallelism, M);
  assert.equal(ctx.subtaskIndex, 1);
  assert.equal(ctx.parallelism, 4);
  assert.equal(ctx.getValueState('v'), b.getValueState('v'));
  assert.equal(ctx.getListState('l'), b.getListState('l'));
  assert.equal(ctx.getMapState('m'), b.getMapState('m'));
  b.setCurrentKey('k');
  ctx.getValueState<number>('w', 7).update(8);
  assert.equal(b.getValueState('w').value(), 8);

  const plain = createRuntimeContext({
    operatorId: 'map-1',
    maxParallelism: 128,
    subtaskIndex: 0,
    parallelism: 1,
  });
  assert.throws(() => plain.getValueState('v'), /only available on a keyed stream/);
  assert.throws(
    () => createRuntimeContext({ backend: b, subtaskIndex: 4, parallelism: 4 }),
    RangeError,
  );
  assert.throws(
    () => createRuntimeContext({ backend: b, subtaskIndex: 0, parallelism: M + 1 }),
    RangeError,
  );
  assert.throws(() =>
    createRuntimeContext({ backend: b, operatorId: 'other', subtaskIndex: 0, parallelism: 1 }),
  );
  assert.throws(() => createRuntimeContext({ subtaskIndex: 0, parallelism: 1 }), TypeError);
});

test('setCurrentKeyInGroup: a primitive key in the group its producer computed reaches the same state as setCurrentKey', () => {
  const b = backend();
  const count = b.getValueState<number>('count');
  for (const key of ['alice', 7, -0, 2.5, 10n, true]) {
    b.setCurrentKey(key);
    count.update(1);
    b.setCurrentKeyInGroup(key, keyGroupOf(key, M));
    assert.equal(count.value(), 1, `key ${String(key)}`);
    assert.equal(b.currentKeyGroup, keyGroupOf(key, M));
    count.update(2);
    b.setCurrentKey(key);
    assert.equal(count.value(), 2, `key ${String(key)}`);
  }
});

test('setCurrentKeyInGroup: -1 hashes the key; a composite key is always hashed; a group not owned is refused', () => {
  const b = backend([1, 2, 3]);
  const s = b.getValueState<string>('s');
  const owned = Array.from({ length: 1000 }, (_, i) => `k${i}`).find((k) => [1, 2, 3].includes(keyGroupOf(k, M)))!;
  b.setCurrentKeyInGroup(owned, -1);
  assert.equal(b.currentKeyGroup, keyGroupOf(owned, M));
  s.update('v');
  const tuple = Array.from({ length: 1000 }, (_, i) => [i, 'x']).find((k) => [1, 2, 3].includes(keyGroupOf(k, M)))!;
  const wrongGroup = [1, 2, 3].find((g) => g !== keyGroupOf(tuple, M))!;
  b.setCurrentKeyInGroup(tuple, wrongGroup);
  assert.equal(b.currentKeyGroup, keyGroupOf(tuple, M), 'the tuple key is hashed, not put in the given group');
  const unowned = ALL.find((g) => ![1, 2, 3].includes(g))!;
  assert.throws(() => b.setCurrentKeyInGroup('anything', unowned), KeyGroupNotOwnedError);
});
