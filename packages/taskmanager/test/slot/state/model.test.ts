/**
 * Property-style test: seeded random operations on the backend and timer
 * service, checked step by step against a plain reference model (maps keyed
 * by the index of the key in a fixed pool). Snapshots, restores into fresh
 * instances and group moves happen in the middle of the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyGroupOf } from '@rivulet/common';
import {
  HeapKeyedStateBackend,
  KeyGroupNotOwnedError,
  ProcessingTimeTimerService,
} from '../../../src/slot/state/index.js';

const M = 8;

/** mulberry32: deterministic, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Every key as a factory, so a tuple arrives as a fresh array each time.
const POOL: readonly (() => unknown)[] = [
  ...Array.from({ length: 12 }, (_, i) => () => `user-${i}`),
  ...Array.from({ length: 6 }, (_, i) => () => i * 3 - 5),
  () => 0.5,
  () => 10n ** 20n,
  () => true,
  ...Array.from({ length: 6 }, (_, i) => () => ['t', i, i % 2 === 0]),
  () => [['nested', 1n], 'x'],
];

interface Model {
  value: Map<number, number>;
  list: Map<number, number[]>;
  map: Map<number, Map<string, number>>;
  timers: Map<number, Set<number>>;
  owned: Set<number>;
}

function run(seed: number, steps: number): void {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const groupOf = POOL.map((k) => keyGroupOf(k(), M));
  const model: Model = {
    value: new Map(),
    list: new Map(),
    map: new Map(),
    timers: new Map(),
    owned: new Set([0, 1, 2, 3, 4, 5, 6, 7].filter(() => rnd() < 0.8)),
  };
  let backend = new HeapKeyedStateBackend({
    operatorId: 'op',
    maxParallelism: M,
    keyGroups: [...model.owned],
  });
  let timers = new ProcessingTimeTimerService(backend);
  let current = -1;
  let now = 0;

  const states = () => ({
    v: backend.getValueState<number>('v', -1),
    l: backend.getListState<number>('l'),
    m: backend.getMapState<string, number>('m'),
  });
  const dropGroupFromModel = (g: number) => {
    for (const table of [model.value, model.list, model.map, model.timers]) {
      for (const k of [...table.keys()]) if (groupOf[k] === g) table.delete(k);
    }
  };

  for (let step = 0; step < steps; step++) {
    const at = `seed ${seed} step ${step}`;
    const op = int(100);
    if (op < 20 || current < 0) {
      const k = int(POOL.length);
      if (model.owned.has(groupOf[k]!)) {
        backend.setCurrentKey(POOL[k]!());
        current = k;
      } else {
        assert.throws(() => backend.setCurrentKey(POOL[k]!()), KeyGroupNotOwnedError, at);
        current = -1;
      }
      continue;
    }
    const { v, l, m } = states();
    if (op < 30) {
      const x = int(1000);
      v.update(x);
      model.value.set(current, x);
    } else if (op < 33) {
      v.clear();
      model.value.delete(current);
    } else if (op < 40) {
      const x = int(1000);
      l.add(x);
      model.list.set(current, [...(model.list.get(current) ?? []), x]);
    } else if (op < 42) {
      const xs = Array.from({ length: int(3) }, () => int(10));
      l.update(xs);
      if (xs.length === 0) model.list.delete(current);
      else model.list.set(current, xs);
    } else if (op < 50) {
      const mk = `k${int(4)}`;
      const x = int(1000);
      m.put(mk, x);
      model.map.set(current, new Map(model.map.get(current)).set(mk, x));
    } else if (op < 55) {
      const mk = `k${int(4)}`;
      m.remove(mk);
      const mm = new Map(model.map.get(current));
      mm.delete(mk);
      if (mm.size === 0) model.map.delete(current);
      else model.map.set(current, mm);
    } else if (op < 65) {
      const t = now + int(50);
      timers.registerProcessingTimeTimer(t);
      model.timers.set(current, new Set(model.timers.get(current)).add(t));
    } else if (op < 70) {
      const t = now + int(50);
      timers.deleteProcessingTimeTimer(t);
      model.timers.get(current)?.delete(t);
    } else if (op < 80) {
      now += int(20);
      const expected: [number, number][] = [];
      for (const [k, ts] of model.timers) {
        for (const t of ts) if (t <= now) expected.push([t, k]);
        for (const t of [...ts]) if (t <= now) ts.delete(t);
      }
      const actual = timers.advanceTo(now);
      const times = actual.map((f) => f.timestamp);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        `${at}: fired in order`,
      );
      const actualPairs = actual.map((f) => [
        f.timestamp,
        POOL.findIndex((p) => sameKey(p(), f.key)),
      ]);
      assert.deepEqual(actualPairs.sort(cmp), expected.sort(cmp), `${at}: fired timers`);
      for (const f of actual) assert.equal(f.keyGroup, keyGroupOf(f.key, M), at);
    } else if (op < 83) {
      // checkpoint and restore everything into fresh instances
      const snap = backend
        .ownedKeyGroups()
        .map((g) => [g, backend.snapshotKeyGroup(g), timers.snapshotKeyGroup(g)] as const);
      backend = new HeapKeyedStateBackend({
        operatorId: 'op',
        maxParallelism: M,
        keyGroups: [...model.owned],
      });
      timers = new ProcessingTimeTimerService(backend);
      for (const [g, s, t] of snap) {
        backend.restoreKeyGroup(g, s);
        timers.restoreKeyGroup(g, t);
      }
      current = -1;
    } else if (op < 85) {
      // a group moves away (state dropped) or comes back (empty)
      const g = int(M);
      if (model.owned.has(g)) {
        backend.removeKeyGroups([g]);
        model.owned.delete(g);
        dropGroupFromModel(g);
        if (current >= 0 && groupOf[current] === g) current = -1;
      } else {
        backend.addKeyGroups([g]);
        model.owned.add(g);
      }
    } else {
      assert.equal(v.value(), model.value.get(current) ?? -1, `${at}: value`);
      assert.deepEqual(l.get(), model.list.get(current) ?? [], `${at}: list`);
      assert.deepEqual(new Map(m.entries()), model.map.get(current) ?? new Map(), `${at}: map`);
      assert.equal(m.isEmpty(), !model.map.has(current), `${at}: isEmpty`);
      const g = groupOf[current]!;
      const modelKeys = new Set(
        [model.value, model.list, model.map].flatMap((t) =>
          [...t.keys()].filter((k) => groupOf[k] === g),
        ),
      );
      assert.equal(backend.keyGroupStats(g).keys, modelKeys.size, `${at}: keys in group ${g}`);
      const modelTimers = [...model.timers]
        .filter(([k]) => groupOf[k] === g)
        .reduce((n, [, ts]) => n + ts.size, 0);
      assert.equal(timers.size(g), modelTimers, `${at}: timers in group ${g}`);
    }
  }
  assert.deepEqual(
    backend.ownedKeyGroups(),
    [...model.owned].sort((a, b) => a - b),
  );
}

function sameKey(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, big) === JSON.stringify(b, big) && typeof a === typeof b;
}
const big = (_: string, v: unknown) => (typeof v === 'bigint' ? { bigint: String(v) } : v);
const cmp = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]!;

for (const seed of [1, 2, 3, 42, 2024]) {
  test(`random operations match the reference model (seed ${seed})`, () => run(seed, 4000));
}
