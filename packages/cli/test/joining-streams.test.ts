import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, runCli, startCluster, stopAllProcesses, type StartedCluster } from '@rivulet/testing';
import { joinEvent, type JoinEvent } from './fixtures/join-events.js';

/**
 * Joining streams end to end (real JobManager and 2 TaskManagers with 2
 * slots): union, connect with co-functions, a KeyedCoProcessFunction, the
 * broadcast state pattern, window join and interval join, each against a
 * reference computed here from the same deterministic events
 * (join-events.ts); the combining operator runs at parallelism 2, so
 * records and watermarks of both inputs cross the network.
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'joining-streams-job.ts');
const N = 200;
const M = 80;
const KEYS = 3;
let cluster: StartedCluster | undefined;

before(async () => {
  cluster = await startCluster({ taskManagers: 2, slots: 2 });
});
after(async () => {
  await stopAllProcesses();
});

async function run(kind: string, parallelism = 2): Promise<unknown[]> {
  const result = await runCli(
    ['run', JOB, '--jobmanager', cluster!.jobManager.rpcAddress, '-p', String(parallelism), '--output', 'json', '--', '--kind', kind, '--n', String(N), '--m', String(M), '--keys', String(KEYS)],
    { timeoutMs: 90_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  const details = JSON.parse(result.stdout) as { state: string; results: Record<string, unknown[]> };
  assert.equal(details.state, 'FINISHED');
  return details.results['out'] ?? [];
}

const side = (name: string, count: number, step: number): JoinEvent[] => Array.from({ length: count }, (_, i) => joinEvent(name, i, KEYS, step));
const A = side('a', N, 10);
const B = side('b', M, 25);
const sorted = (values: readonly unknown[]): string[] => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).sort();

describe('joining streams, against references', { timeout: 400_000 }, () => {
  test('union: every record of both streams, once', async () => {
    assert.deepEqual(sorted(await run('union')), sorted([...A, ...B].map((e) => `${e.side}${e.v}`)));
  });

  test('connect + CoMap and CoFlatMap: each input through its own method', async () => {
    assert.deepEqual(sorted(await run('comap')), sorted([...A.map((e) => `a${e.v}`), ...B.map((e) => `b${e.v}`)]));
    assert.deepEqual(sorted(await run('coflatmap')), sorted([...A.flatMap((e) => [`a${e.v}`, `a${e.v}`]), ...B.map((e) => `b${e.v}`)]));
  });

  test('KeyedCoProcessFunction: keyed state shared by both inputs, an event-time timer per key', async () => {
    const expected = Array.from({ length: KEYS }, (_, k) => {
      const key = `k${k}`;
      const as = A.filter((e) => e.key === key);
      const bs = B.filter((e) => e.key === key);
      return { key, count: as.length + bs.length, sum: as.reduce((s, e) => s + e.v, 0) + bs.reduce((s, e) => s + 1000 * e.v, 0) };
    });
    assert.deepEqual(sorted(await run('keyed-co')), sorted(expected));
  });

  test('broadcast state: rules broadcast to every subtask, events keyed', async () => {
    const expected = Array.from({ length: KEYS }, (_, k) => {
      const key = `k${k}`;
      const multiplier = B.filter((e) => e.key === key).length;
      return { key, total: A.filter((e) => e.key === key).reduce((s, e) => s + e.v, 0) * multiplier };
    });
    assert.deepEqual(sorted(await run('broadcast')), sorted(expected));
  });

  test('window join: every pair of equal keys in the same tumbling window', async () => {
    const expected = A.flatMap((x) => B.filter((y) => y.key === x.key && Math.floor(y.ts / 500) === Math.floor(x.ts / 500)).map((y) => `${x.v}:${y.v}`));
    assert.ok(expected.length > 50);
    assert.deepEqual(sorted(await run('window-join')), sorted(expected));
  });

  test('interval join: pairs with b.ts in [a.ts - 30, a.ts + 20), stamped with the larger timestamp', async () => {
    const expected = A.flatMap((x) =>
      B.filter((y) => y.key === x.key && y.ts >= x.ts - 30 && y.ts < x.ts + 20).map((y) => `${x.v}:${y.v}@${Math.max(x.ts, y.ts)}`),
    );
    assert.ok(expected.length > 20);
    assert.deepEqual(sorted(await run('interval-join')), sorted(expected));
  });
});
