import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyGroupOf } from '@rivulet/common';
import { HeapKeyedStateBackend, ProcessingTimeTimerService } from '../../../src/slot/state/index.js';

const M = 8;
const ALL = Array.from({ length: M }, (_, g) => g);
const backend = () => new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: M, keyGroups: ALL });

function keysOf(group: number, count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) if (keyGroupOf(`k${i}`, M) === group) keys.push(`k${i}`);
  return keys;
}

/** Every state of `keys` as plain data (copies, not the stored objects). */
function read(b: HeapKeyedStateBackend, keys: readonly string[]): unknown {
  const v = b.getValueState<unknown>('v');
  const l = b.getListState<unknown>('l');
  const m = b.getMapState<string, unknown>('m');
  return keys.map((k) => {
    b.setCurrentKey(k);
    return [k, v.value(), [...l.get()], [...m.entries()]];
  });
}

function fill(b: HeapKeyedStateBackend, keys: readonly string[]): void {
  keys.forEach((k, i) => {
    b.setCurrentKey(k);
    b.getValueState<unknown>('v').update({ i });
    b.getListState<unknown>('l').add(i);
    b.getMapState<string, unknown>('m').put('x', i);
    b.getMapState<string, unknown>('m').put('y', 100 - i);
  });
}

/** Every kind of write the states offer, on every key. */
function mutate(b: HeapKeyedStateBackend, keys: readonly string[]): void {
  const v = b.getValueState<unknown>('v');
  const l = b.getListState<unknown>('l');
  const m = b.getMapState<string, unknown>('m');
  keys.forEach((k, i) => {
    b.setCurrentKey(k);
    if (i % 3 === 0) {
      v.clear();
      l.clear();
      m.clear();
    } else {
      v.update({ i: 1000 + i });
      l.add('later');
      if (i % 3 === 1) l.update(['replaced']);
      m.put('z', 0);
      m.remove('x');
    }
  });
}

function restored(bytes: ReadonlyMap<number, Uint8Array>): HeapKeyedStateBackend {
  const b = backend();
  for (const [g, bytesOfGroup] of bytes) b.restoreKeyGroup(g, bytesOfGroup);
  return b;
}

test('a snapshot encoded after writes holds the state of the moment it was taken', () => {
  const keys = [...keysOf(2, 6), ...keysOf(5, 6)];
  const a = backend();
  fill(a, keys);
  const before = structuredClone(read(a, keys));
  const snapshot = a.snapshot();
  assert.deepEqual(snapshot.keyGroups, [2, 5], 'only groups with state');

  mutate(a, keys);
  a.setCurrentKey(keysOf(2, 7)[6]!);
  a.getValueState<unknown>('v').update('new key in a held group');
  a.getValueState<unknown>('brand-new-state').update('new table in a held group');
  const after = structuredClone(read(a, keys));
  assert.notDeepEqual(after, before, 'the writes changed the live state');

  const encoded = new Map(snapshot.keyGroups.map((g) => [g, snapshot.encode(g)]));
  assert.deepEqual(read(restored(encoded), keys), before);
  assert.deepEqual(restored(encoded).registeredStates().map((s) => s.name), ['v', 'l', 'm']);
  assert.deepEqual(read(a, keys), after, 'the live state keeps the writes');
});

test('writes after a group was encoded go to the live tables, and a later snapshot sees them', () => {
  const keys = keysOf(1, 5);
  const a = backend();
  fill(a, keys);
  const first = a.snapshot();
  const firstBytes = first.encode(1);
  mutate(a, keys);
  const live = structuredClone(read(a, keys));
  const second = a.snapshotKeyGroups([1]);
  assert.deepEqual(read(restored(second), keys), live);
  assert.notDeepEqual(read(restored(new Map([[1, firstBytes]])), keys), live);
});

test('two snapshots held at once each keep their own moment', () => {
  const keys = keysOf(4, 5);
  const a = backend();
  fill(a, keys);
  const atFirst = structuredClone(read(a, keys));
  const first = a.snapshot();
  mutate(a, keys);
  const atSecond = structuredClone(read(a, keys));
  const second = a.snapshot();
  fill(a, keys); // writes again while both are held
  mutate(a, keys);
  const secondBytes = second.encode(4); // encoded first, released first
  mutate(a, keys);
  const firstBytes = first.encode(4);
  assert.deepEqual(read(restored(new Map([[4, firstBytes]])), keys), atFirst);
  assert.deepEqual(read(restored(new Map([[4, secondBytes]])), keys), atSecond);
});

test('a released snapshot cannot be encoded; each group encodes once; unknown groups are named', () => {
  const a = backend();
  fill(a, keysOf(3, 2));
  const s = a.snapshot();
  assert.throws(() => s.encode(6), /key group 6 is not in this snapshot/);
  s.encode(3);
  assert.throws(() => s.encode(3), /key group 3 was already encoded/);
  const t = a.snapshot();
  t.release();
  t.release();
  assert.throws(() => t.encode(3), /released/);
  assert.throws(() => a.snapshot([9]), RangeError);
});

test('a group removed or restored while held does not change the snapshot', () => {
  const keys = keysOf(6, 3);
  const a = backend();
  fill(a, keys);
  const before = structuredClone(read(a, keys));
  const s = a.snapshot([6]);
  a.removeKeyGroups([6]);
  a.addKeyGroups([6]);
  assert.deepEqual(read(restored(new Map([[6, s.encode(6)]])), keys), before);
});

test('timers are snapshotted at the call and encoded later', () => {
  const a = backend();
  const timers = new ProcessingTimeTimerService(a);
  const [k] = keysOf(0, 1);
  a.setCurrentKey(k!);
  timers.registerProcessingTimeTimer(100);
  timers.registerProcessingTimeTimer(200);
  const s = timers.snapshot();
  assert.deepEqual(s.keyGroups, [0]);
  timers.deleteProcessingTimeTimer(100);
  timers.registerProcessingTimeTimer(300);
  const b = backend();
  const restoredTimers = new ProcessingTimeTimerService(b);
  restoredTimers.restoreKeyGroup(0, s.encode(0));
  assert.deepEqual(restoredTimers.advanceTo(1000).map((t) => t.timestamp), [100, 200]);
});
