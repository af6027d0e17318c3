import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { StateTtlConfig, type StateTtlOptions } from '@rivulet/api';
import { keyGroupOf } from '@rivulet/common';
import {
  HeapKeyedStateBackend,
  InvalidStateDescriptorError,
  KEYED_STATE_FORMAT,
  StateTtlMismatchError,
} from '../../../src/slot/state/index.js';

const M = 8;
const ALL = Array.from({ length: M }, (_, g) => g);

/** A backend whose clock the test moves. */
function setup(keyGroups: readonly number[] = ALL) {
  const clock = { now: 1_000 };
  const backend = new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: M, keyGroups, clock: () => clock.now });
  return { clock, backend };
}

const TTL = 100;
const noBackground: StateTtlOptions = { timeToLive: TTL, cleanup: { incremental: false } };

test('a value expires ttl ms after its last write and is then gone (NeverReturnExpired, OnCreateAndWrite by default)', () => {
  const { clock, backend } = setup();
  const v = backend.getValueState<number>({ name: 'v', defaultValue: -1, ttl: StateTtlConfig.newBuilder(TTL).build() });
  backend.setCurrentKey('a');
  v.update(1);
  clock.now += TTL - 1;
  assert.equal(v.value(), 1, 'read just before expiry');
  clock.now += 1;
  assert.equal(v.value(), -1, 'expired: the default value');
  assert.equal(backend.keyGroupStats(keyGroupOf('a', M)).entries, 0, 'the read removed the expired entry');
  v.update(2);
  clock.now += TTL - 1;
  v.update(3); // a write renews
  clock.now += TTL - 1;
  assert.equal(v.value(), 3);
});

test('OnCreateAndWrite: reads do not renew; OnReadAndWrite: they do', () => {
  for (const updateType of ['OnCreateAndWrite', 'OnReadAndWrite'] as const) {
    const { clock, backend } = setup();
    const v = backend.getValueState<string>({ name: 'v', ttl: { ...noBackground, updateType } });
    const l = backend.getListState<string>({ name: 'l', ttl: { ...noBackground, updateType } });
    const m = backend.getMapState<string, number>({ name: 'm', ttl: { ...noBackground, updateType } });
    backend.setCurrentKey('k');
    v.update('x');
    l.add('a');
    m.put('u', 1);
    for (let i = 0; i < 3; i++) {
      clock.now += TTL / 2;
      v.value();
      l.get();
      m.get('u');
    }
    const renewed = updateType === 'OnReadAndWrite';
    assert.equal(v.value(), renewed ? 'x' : undefined, `${updateType}: value`);
    assert.deepEqual(l.get(), renewed ? ['a'] : [], `${updateType}: list`);
    assert.equal(m.get('u'), renewed ? 1 : undefined, `${updateType}: map`);
  }
});

test('ReturnExpiredIfNotCleanedUp returns an expired entry once, then it is cleaned up', () => {
  const { clock, backend } = setup();
  const ttl = StateTtlConfig.newBuilder(TTL).returnExpiredIfNotCleanedUp().disableCleanupInBackground().build();
  const v = backend.getValueState<number>({ name: 'v', ttl });
  const m = backend.getMapState<string, number>({ name: 'm', ttl });
  backend.setCurrentKey('k');
  v.update(7);
  m.put('a', 1);
  clock.now += TTL;
  assert.equal(v.value(), 7, 'expired but not cleaned up yet: returned');
  assert.equal(v.value(), undefined, 'the first read cleaned it up');
  assert.equal(m.contains('a'), true);
  assert.equal(m.contains('a'), false);
});

test('TTL is per list element and per map entry', () => {
  const { clock, backend } = setup();
  const l = backend.getListState<number>({ name: 'l', ttl: noBackground });
  const m = backend.getMapState<string, number>({ name: 'm', ttl: noBackground });
  backend.setCurrentKey('k');
  l.add(1);
  m.put('old', 1);
  clock.now += 60;
  l.add(2);
  m.put('new', 2);
  assert.deepEqual(l.get(), [1, 2]);
  clock.now += 40; // 1 and 'old' expire, 2 and 'new' have 60 ms left
  assert.deepEqual(l.get(), [2]);
  assert.deepEqual([...m.entries()], [['new', 2]]);
  assert.deepEqual([...m.keys()], ['new']);
  assert.deepEqual([...m.values()], [2]);
  assert.equal(m.get('old'), undefined);
  assert.equal(m.isEmpty(), false);
  clock.now += 60;
  assert.equal(m.isEmpty(), true);
  assert.deepEqual(l.get(), []);
  assert.equal(backend.keyGroupStats(keyGroupOf('k', M)).entries, 0, 'emptied list and map removed');
});

test('a snapshot leaves expired entries out; a restore keeps the last-access timestamps', () => {
  const { clock, backend } = setup();
  const ttl: StateTtlOptions = { ...noBackground, updateType: 'OnReadAndWrite' };
  const v = backend.getValueState<string>({ name: 'v', ttl });
  const l = backend.getListState<string>({ name: 'l', ttl });
  backend.setCurrentKey('stale');
  v.update('s');
  l.add('s');
  clock.now += 50;
  backend.setCurrentKey('fresh');
  v.update('f');
  l.add('f1');
  clock.now += 50; // 'stale' expired, 'fresh' has 50 ms left
  const snapshots = backend.snapshotKeyGroups();

  const decoded = new Packr({ mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });
  let found = 0;
  for (const bytes of snapshots.values()) {
    const s = decoded.unpack(bytes) as { format: string; states: { name: string; ttl?: boolean; plain: Map<string, unknown> }[] };
    assert.equal(s.format, KEYED_STATE_FORMAT);
    for (const state of s.states) {
      assert.equal(state.ttl, true);
      assert.equal(state.plain.has('stale'), false, 'expired entry written');
      if (state.plain.has('fresh')) found++;
    }
  }
  assert.equal(found, 2, 'value and list of the live key written');

  const clock2 = { now: clock.now };
  const copy = new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: M, keyGroups: ALL, clock: () => clock2.now });
  for (const [g, bytes] of snapshots) copy.restoreKeyGroup(g, bytes);
  const v2 = copy.getValueState<string>({ name: 'v', ttl });
  copy.setCurrentKey('fresh');
  clock2.now += 49;
  assert.equal(v2.value(), 'f', 'the restored timestamp still counts: 1 ms left');
  assert.deepEqual(copy.getListState<string>({ name: 'l', ttl }).get(), ['f1']);
  clock2.now += TTL - 1; // both were renewed by the reads above (OnReadAndWrite)
  assert.equal(v2.value(), 'f');
  clock2.now += TTL;
  assert.equal(v2.value(), undefined);
});

test('snapshots of states without TTL (format v1) are still restored, and gain TTL when asked with one', () => {
  const { backend } = setup();
  const plain = backend.getValueState<number>('v');
  backend.setCurrentKey('k');
  plain.update(5);
  const g = keyGroupOf('k', M);
  const v1 = new Packr({ mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });
  const bytes = v1.pack({
    format: 'rivulet.keyed-state.v1',
    maxParallelism: M,
    keyGroup: g,
    states: [{ name: 'v', kind: 'value', plain: new Map([['k', 5]]), composite: new Map() }],
  });
  const { clock, backend: restored } = setup();
  restored.restoreKeyGroup(g, new Uint8Array(bytes));
  const v = restored.getValueState<number>({ name: 'v', ttl: noBackground });
  restored.setCurrentKey('k');
  assert.equal(v.value(), 5, 'restored value, stamped at the time it gained TTL');
  clock.now += TTL;
  assert.equal(v.value(), undefined);
});

test('incremental cleanup removes expired entries of keys nobody reads', () => {
  const { clock, backend } = setup();
  const v = backend.getValueState<number>({ name: 'v', ttl: StateTtlConfig.newBuilder(TTL).cleanupIncrementally(10, false).build() });
  const keys = Array.from({ length: 1_000 }, (_, i) => `k${i}`);
  for (const k of keys) {
    backend.setCurrentKey(k);
    v.update(1);
  }
  const entries = (): number => ALL.reduce((n, g) => n + backend.keyGroupStats(g).entries, 0);
  assert.equal(entries(), 1_000);
  clock.now += TTL;
  backend.setCurrentKey('reader');
  for (let i = 0; i < 99; i++) v.value(); // 99 accesses × 10 entries: at most 990 checked
  assert.ok(entries() > 0 && entries() <= 1_000 - 900, `after 99 accesses: ${entries()} entries left`);
  for (let i = 0; i < 20; i++) v.value();
  assert.equal(entries(), 0, 'every expired entry removed without reading its key');
});

test('cleanupIncrementally(n, true) also cleans once per record (the operator calls cleanupExpiredPerRecord)', () => {
  const { clock, backend } = setup();
  const l = backend.getListState<number>({ name: 'l', ttl: { timeToLive: TTL, cleanup: { incremental: { cleanupSize: 50, runCleanupForEveryRecord: true } } } });
  for (let i = 0; i < 100; i++) {
    backend.setCurrentKey(i);
    l.add(i);
  }
  assert.equal(backend.hasPerRecordTtlCleanup, true);
  clock.now += TTL;
  backend.cleanupExpiredPerRecord();
  backend.cleanupExpiredPerRecord();
  assert.equal(ALL.reduce((n, g) => n + backend.keyGroupStats(g).entries, 0), 0);
  assert.equal(setup().backend.hasPerRecordTtlCleanup, false, 'no per-record work without such a state');
});

test('a snapshot taken before expiry keeps its moment while cleanup runs', () => {
  const { clock, backend } = setup();
  const v = backend.getValueState<number>({ name: 'v', ttl: StateTtlConfig.newBuilder(TTL).cleanupIncrementally(100, false).build() });
  backend.setCurrentKey('a');
  v.update(1);
  const snapshot = backend.snapshot();
  clock.now += TTL;
  backend.setCurrentKey('b');
  v.value(); // incremental cleanup skips the held group; lazy cleanup of 'a' would copy on write
  backend.setCurrentKey('a');
  assert.equal(v.value(), undefined);
  const g = keyGroupOf('a', M);
  const restored = setup().backend;
  restored.restoreKeyGroup(g, new Uint8Array(snapshot.encode(g)));
  const r = restored.getValueState<number>({ name: 'v', ttl: noBackground });
  restored.setCurrentKey('a');
  assert.equal(r.value(), 1, 'the snapshot has the value of its moment');
});

test('states without TTL store their values unwrapped (no per-entry wrapper)', () => {
  const { backend } = setup();
  const v = backend.getValueState<{ n: number }>('v');
  backend.setCurrentKey('k');
  const value = { n: 1 };
  v.update(value);
  assert.equal(v.value(), value, 'the very object: stored as it is');
});

test('bad descriptors and conflicting TTLs are clear errors', () => {
  const { backend } = setup();
  assert.throws(() => backend.getValueState({ name: 'v', ttl: { timeToLive: 0 } }), (e: unknown) => e instanceof InvalidStateDescriptorError && /timeToLive must be a positive integer/.test(e.message));
  assert.throws(() => backend.getValueState({ name: 'v', ttl: { timeToLive: 5, updateType: 'Never' as never } }), /updateType must be one of/);
  assert.throws(() => backend.getListState({ name: 'l', defaultValue: 1 } as never), /unknown descriptor field "defaultValue"/);
  assert.throws(() => backend.getValueState({ name: 'v' }, 1), /takes no second argument/);
  assert.throws(() => backend.getMapState(42 as never), /needs a state name or a descriptor/);
  assert.throws(() => StateTtlConfig.newBuilder(10).cleanupIncrementally(0, false), /cleanupSize must be an integer ≥ 1/);
  backend.getValueState({ name: 'x', ttl: { timeToLive: 10 } });
  assert.throws(() => backend.getValueState('x'), (e: unknown) => e instanceof StateTtlMismatchError && /TTL 10 ms .* and now with no TTL/.test(e.message));
  assert.doesNotThrow(() => backend.getValueState({ name: 'x', ttl: StateTtlConfig.newBuilder(10).build() }), 'the same configuration in the other form');
});
