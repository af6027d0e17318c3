import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapKeyedStateBackend, KeyedTimers, ProcessingTimeTimerService } from '../../../src/slot/state/index.js';
import { encodeSnapshot, TIMERS_FORMAT } from '../../../src/slot/state/snapshot-codec.js';

const M = 8;
const ALL = Array.from({ length: M }, (_, g) => g);

function setup(keyGroups: readonly number[] = ALL) {
  const backend = new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: M, keyGroups });
  const timers = new KeyedTimers(backend);
  const at = (key: unknown, kind: 'event' | 'processing', ...timestamps: number[]) => {
    backend.setCurrentKey(key);
    for (const t of timestamps) timers[kind].register(t, 'test');
  };
  return { backend, timers, at };
}

const pairs = (list: readonly { key: unknown; timestamp: number }[]) => list.map(({ key, timestamp }) => [key, timestamp]);

test('event-time timers fire in timestamp order up to the watermark, one per key and timestamp', () => {
  const { timers, at } = setup();
  at('a', 'event', 300, 100, 100);
  at('b', 'event', 200);
  at('a', 'processing', 50);
  assert.equal(timers.event.size(), 3);
  assert.deepEqual(pairs(timers.event.advanceTo(199)), [['a', 100]]);
  assert.deepEqual(pairs(timers.event.advanceTo(Infinity)), [['b', 200], ['a', 300]]);
  assert.equal(timers.processing.size(), 1, 'processing-time timers are a queue of their own');
});

test('both kinds survive a snapshot and restore per key group, also into another parallelism', () => {
  const { backend, timers, at } = setup();
  for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) {
    at(key, 'event', 1_000, 2_000);
    at(key, 'processing', 5);
  }
  const snapshot = timers.snapshot();
  const bytes = new Map(snapshot.keyGroups.map((g) => [g, new Uint8Array(snapshot.encode(g))]));
  const restored = [ALL.filter((g) => g % 2 === 0), ALL.filter((g) => g % 2 === 1)].map((groups) => {
    const target = setup(groups);
    for (const g of groups) {
      const b = bytes.get(g);
      if (b) target.timers.restoreKeyGroup(g, b);
    }
    return target.timers;
  });
  assert.equal(restored[0]!.event.size() + restored[1]!.event.size(), 12);
  assert.equal(restored[0]!.processing.size() + restored[1]!.processing.size(), 6);
  const fired = restored.flatMap((t) => pairs(t.event.advanceTo(1_500)));
  assert.deepEqual(fired.map(([k]) => k).sort(), ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.ok(backend.ownedKeyGroups().length === M);
});

test('a timers snapshot written before event time (no eventTimers) restores with no event-time timers', () => {
  const backend = new HeapKeyedStateBackend({ operatorId: 'op', maxParallelism: M, keyGroups: ALL });
  const old = new ProcessingTimeTimerService(backend);
  backend.setCurrentKey('k');
  old.registerProcessingTimeTimer(77);
  const group = backend.currentKeyGroup;
  const legacy = encodeSnapshot({ format: TIMERS_FORMAT, maxParallelism: M, keyGroup: group, timers: old.timersOf(group) });
  const { timers } = setup();
  timers.restoreKeyGroup(group, legacy);
  assert.equal(timers.processing.size(), 1);
  assert.equal(timers.event.size(), 0);
  assert.deepEqual(pairs(timers.processing.advanceTo(100)), [['k', 77]]);
});
