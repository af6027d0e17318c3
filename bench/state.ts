/**
 * `pnpm bench state [--records N]`: the heap keyed state backend's hot path
 * against a plain `Map<string, number>`, measured in the same run.
 *
 * Keyed count: for each record, `setCurrentKey(key)` + `ValueState.value()` +
 * `update()`, over N records (default 5M) drawn uniformly (seeded) from 10k
 * and from 1M distinct string keys, the backend owning all 128 key groups.
 * Baselines: the same count in a `Map<string, number>`, and the same plus the
 * key-group hash (`keyHash(key) % 128`), to show where the gap goes. Best of
 * 3 rounds, each on fresh structures, candidates interleaved. Then, on the 1M
 * key state: snapshot and restore of every key group, and processing-time
 * timers (register, fire). Last, copy on read: an object value read, mutated
 * in place and written back per record (10k keys), with no snapshot and with
 * a snapshot of every group held during the whole run (each key's value is
 * then copied on its first read, once per snapshot).
 */
import { keyHash } from '@rivulet/common';
import { HeapKeyedStateBackend, ProcessingTimeTimerService } from '@rivulet/taskmanager';
import { printReport } from './lib/report.js';

const MAX_PARALLELISM = 128;
const ROUNDS = 3;
const records = Number(argValue('--records') ?? 5_000_000);
const KEY_COUNTS = [10_000, 1_000_000] as const;
const ALL_GROUPS = Array.from({ length: MAX_PARALLELISM }, (_, g) => g);
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Seeded xorshift32 indices in [0, n). */
function recordKeys(n: number, distinct: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) % distinct;
  }
  return out;
}

function seconds(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function newBackend(): HeapKeyedStateBackend {
  return new HeapKeyedStateBackend({
    operatorId: 'bench-count',
    maxParallelism: MAX_PARALLELISM,
    keyGroups: ALL_GROUPS,
  });
}

interface Candidate {
  readonly name: string;
  /** Counts every record; returns a checksum (sum of counts of keys 0..9). */
  run(keys: readonly string[], order: Uint32Array): number;
}

const candidates: readonly Candidate[] = [
  {
    name: 'map',
    run(keys, order) {
      const counts = new Map<string, number>();
      for (let i = 0; i < order.length; i++) {
        const k = keys[order[i]!]!;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return keys.slice(0, 10).reduce((s, k) => s + (counts.get(k) ?? 0), 0);
    },
  },
  {
    name: 'mapWithKeyGroupHash',
    run(keys, order) {
      const counts = new Map<string, number>();
      let groups = 0;
      for (let i = 0; i < order.length; i++) {
        const k = keys[order[i]!]!;
        groups += keyHash(k) % MAX_PARALLELISM;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      if (groups < 0) throw new Error('unreachable');
      return keys.slice(0, 10).reduce((s, k) => s + (counts.get(k) ?? 0), 0);
    },
  },
  {
    name: 'backend',
    run(keys, order) {
      const backend = newBackend();
      const count = backend.getValueState<number>('count', 0);
      for (let i = 0; i < order.length; i++) {
        backend.setCurrentKey(keys[order[i]!]!);
        count.update(count.value()! + 1);
      }
      return keys.slice(0, 10).reduce((s, k) => {
        backend.setCurrentKey(k);
        return s + count.value()!;
      }, 0);
    },
  },
];

function keyedCount(distinct: number) {
  const keys = Array.from({ length: distinct }, (_, i) => `user-${i}`);
  const order = recordKeys(records, distinct, 0x9e3779b9 ^ distinct);
  const best = new Map(candidates.map((c) => [c.name, Infinity]));
  const checksums = new Set<number>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of candidates) {
      let checksum = 0;
      const s = seconds(() => (checksum = c.run(keys, order)));
      checksums.add(checksum);
      best.set(c.name, Math.min(best.get(c.name)!, s));
    }
  }
  if (checksums.size !== 1) throw new Error(`candidates disagree on the counts: ${[...checksums]}`);
  const perSecond = (name: string) => Math.round(records / best.get(name)!);
  return {
    distinctKeys: distinct,
    recordsPerSecond: {
      map: perSecond('map'),
      mapWithKeyGroupHash: perSecond('mapWithKeyGroupHash'),
      backend: perSecond('backend'),
    },
    backendOverMap: round(perSecond('backend') / perSecond('map')),
    backendOverMapWithHash: round(perSecond('backend') / perSecond('mapWithKeyGroupHash')),
  };
}

/** Snapshot and restore of every group of a backend holding `distinct` counted keys. */
function snapshotRestore(distinct: number) {
  const backend = newBackend();
  const count = backend.getValueState<number>('count', 0);
  for (let i = 0; i < distinct; i++) {
    backend.setCurrentKey(`user-${i}`);
    count.update(i);
  }
  let snapshots = new Map<number, Uint8Array>();
  const snapshotSeconds = seconds(() => (snapshots = backend.snapshotKeyGroups()));
  const restored = newBackend();
  const restoreSeconds = seconds(() => {
    for (const [g, bytes] of snapshots) restored.restoreKeyGroup(g, bytes);
  });
  restored.setCurrentKey('user-12345');
  if (restored.getValueState<number>('count').value() !== 12345)
    throw new Error('restore lost data');
  const bytes = [...snapshots.values()].reduce((s, b) => s + b.byteLength, 0);
  const largestGroupMs = Math.max(
    ...ALL_GROUPS.map((g) => seconds(() => backend.snapshotKeyGroup(g)) * 1000),
  );
  return {
    keys: distinct,
    keyGroups: MAX_PARALLELISM,
    bytes,
    bytesPerKey: round(bytes / distinct, 1),
    snapshotMs: round(snapshotSeconds * 1000, 1),
    slowestGroupSnapshotMs: round(largestGroupMs, 2),
    restoreMs: round(restoreSeconds * 1000, 1),
    snapshotKeysPerSecond: Math.round(distinct / snapshotSeconds),
    restoreKeysPerSecond: Math.round(distinct / restoreSeconds),
  };
}

/** Registers `perKey` timers for each of `distinct` keys, registers them again, fires them all. */
function timers(distinct: number, perKey: number) {
  const backend = newBackend();
  const service = new ProcessingTimeTimerService(backend, { clock: () => 0 });
  const order = recordKeys(distinct * perKey, 1_000_000, 7);
  const total = distinct * perKey;
  const registerSeconds = seconds(() => {
    for (let i = 0; i < total; i++) {
      backend.setCurrentKey(`user-${i % distinct}`);
      service.registerProcessingTimeTimer(1_700_000_000_000 + order[i]!);
    }
  });
  const live = service.size();
  const reregisterSeconds = seconds(() => {
    for (let i = 0; i < total; i++) {
      backend.setCurrentKey(`user-${i % distinct}`);
      service.registerProcessingTimeTimer(1_700_000_000_000 + order[i]!);
    }
  });
  if (service.size() !== live) throw new Error('registering a timer again added one');
  let fired = 0;
  const fireSeconds = seconds(() => {
    for (let now = 1_700_000_000_000; service.nextTimerTimestamp() !== undefined; now += 10_000) {
      fired += service.advanceTo(now).length;
    }
  });
  if (fired !== live) throw new Error(`fired ${fired} of ${live} timers`);
  return {
    timers: live,
    registerPerSecond: Math.round(total / registerSeconds),
    /** The common per-record case: the timer exists (same key and window end). */
    registerExistingPerSecond: Math.round(total / reregisterSeconds),
    firePerSecond: Math.round(fired / fireSeconds),
  };
}

/** Read, mutate in place, write back: the idiom copy on read protects snapshots from. */
function objectValues(distinct: number) {
  const keys = Array.from({ length: distinct }, (_, i) => `user-${i}`);
  const order = recordKeys(records, distinct, 0x51ed27);
  const run = (holdSnapshot: boolean): number => {
    const backend = newBackend();
    const count = backend.getValueState<{ n: number }>('count');
    for (const k of keys) {
      backend.setCurrentKey(k);
      count.update({ n: 0 });
    }
    const snapshot = holdSnapshot ? backend.snapshot() : undefined;
    const s = seconds(() => {
      for (let i = 0; i < order.length; i++) {
        backend.setCurrentKey(keys[order[i]!]!);
        const value = count.value()!;
        value.n += 1;
        count.update(value);
      }
    });
    snapshot?.release();
    return s;
  };
  let free = Infinity;
  let held = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    free = Math.min(free, run(false));
    held = Math.min(held, run(true));
  }
  return {
    distinctKeys: distinct,
    recordsPerSecond: { noSnapshot: Math.round(records / free), snapshotHeld: Math.round(records / held) },
    snapshotHeldOverNoSnapshot: round(free / held),
  };
}

const counts = KEY_COUNTS.map(keyedCount);
const copyOnRead = objectValues(10_000);
const snapshot = snapshotRestore(1_000_000);
const timerFigures = timers(100_000, 10);

const ratios: Record<string, number> = {};
for (const c of counts) {
  ratios[`backendOverMap_${c.distinctKeys}keys`] = c.backendOverMap;
  ratios[`backendOverMapWithKeyGroupHash_${c.distinctKeys}keys`] = c.backendOverMapWithHash;
}
printReport({
  bench: 'state',
  figures: {
    node: process.version,
    records,
    maxParallelism: MAX_PARALLELISM,
    rounds: ROUNDS,
    keyedCount: counts,
    snapshot,
    timers: timerFigures,
    copyOnRead,
  },
  ratios: { ...ratios, copyOnRead_snapshotHeldOverNoSnapshot: copyOnRead.snapshotHeldOverNoSnapshot },
});
