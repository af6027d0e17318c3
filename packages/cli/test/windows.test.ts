import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { REPO_ROOT, runCli, runCliJson, startCluster, stopAllProcesses, waitFor, type StartedCluster } from '@rivulet/testing';
import type { WindowResult } from './fixtures/windows-job.js';
import { canonical, referenceLateValues, referenceWindows } from './window-reference.js';
import { windowEvent } from './fixtures/window-events.js';

/**
 * Windows end to end (real JobManager and TaskManagers): each window kind's
 * output equals the reference computed from the same out-of-order events
 * (window-reference.ts), with the windows at parallelism 2 over two
 * TaskManagers, so records and watermarks cross the network.
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'windows-job.ts');
let cluster: StartedCluster | undefined;
const dir = mkdtempSync(join(tmpdir(), 'rivulet-windows-'));

before(async () => {
  cluster = await startCluster({ taskManagers: 2, slots: 2 });
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

async function runWindows(args: Record<string, number | string>, parallelism = 2): Promise<WindowResult[]> {
  return (await runJob(args, parallelism))['windows'] as WindowResult[] | undefined ?? [];
}

async function runJob(args: Record<string, number | string>, parallelism = 2): Promise<Record<string, unknown[]>> {
  const result = await runCli(
    ['run', JOB, '--jobmanager', cluster!.jobManager.rpcAddress, '-p', String(parallelism), '--output', 'json', '--', ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)])],
    { timeoutMs: 90_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  const details = JSON.parse(result.stdout) as { state: string; results: Record<string, unknown[]> };
  assert.equal(details.state, 'FINISHED');
  return details.results;
}

describe('windows on event time, against a reference', { timeout: 300_000 }, () => {
  const n = 600;
  const keys = 3;

  test('tumbling windows: every window fires once, with its records; none is late with a delay covering the jitter', async () => {
    const actual = await runWindows({ kind: 'tumbling', n, keys, delay: 300 });
    const expected = referenceWindows('tumbling', n, keys, 300, 0);
    assert.ok(expected.length > 20);
    assert.deepEqual(canonical(actual), canonical(expected));
  });

  test('tumbling windows with late records: dropped without lateness; with allowedLateness they fire the window again', async () => {
    for (const lateness of [0, 150]) {
      const actual = await runWindows({ kind: 'tumbling', n, keys, delay: 60, lateness });
      const expected = referenceWindows('tumbling', n, keys, 60, lateness);
      assert.deepEqual(canonical(actual), canonical(expected), `allowedLateness ${lateness}`);
    }
    const counted = (lateness: number): number => referenceWindows('tumbling', n, keys, 60, lateness).reduce((s, r) => s + r.count, 0);
    assert.ok(counted(150) > counted(0), 'the reference itself has late firings to compare (the test is not vacuous)');
  });

  test('sliding windows: each record in two windows', async () => {
    const actual = await runWindows({ kind: 'sliding', n, keys, delay: 300 });
    assert.deepEqual(canonical(actual), canonical(referenceWindows('sliding', n, keys, 300, 0)));
  });

  test('session windows: sessions merge across out-of-order records and end after the gap', async () => {
    const actual = await runWindows({ kind: 'session', n, keys, delay: 300 });
    const expected = referenceWindows('session', n, keys, 300, 0);
    assert.ok(expected.some((r) => r.count > 1), 'sessions hold several records');
    assert.deepEqual(canonical(actual), canonical(expected));
  });

  test('count windows: every 4 records of a key; a remainder never fires (as Flink)', async () => {
    const actual = await runWindows({ kind: 'count', n: 602, keys, delay: 300 });
    assert.deepEqual(canonical(actual), canonical(referenceWindows('count', 602, keys, 300, 0)));
  });

  test('late records go to the late side output (sideOutputLateData) instead of being dropped', async () => {
    const results = await runJob({ kind: 'tumbling-late-output', n, keys, delay: 60, lateness: 0 });
    const late = referenceLateValues(n, keys, 60, 0);
    assert.ok(late.length > 5, 'the input has late records');
    assert.deepEqual([...(results['late'] as number[])].sort((a, b) => a - b), [...late].sort((a, b) => a - b));
    assert.deepEqual(canonical(results['windows'] as WindowResult[]), canonical(referenceWindows('tumbling', n, keys, 60, 0)));
  });

  test('a process function\'s side output (ctx.output) is a stream of its own, keyed and summed downstream', async () => {
    const results = await runJob({ kind: 'split', n: 100, keys, delay: 300 });
    const events = Array.from({ length: 100 }, (_, i) => windowEvent(i, keys));
    assert.deepEqual([...(results['even'] as number[])].sort((a, b) => a - b), events.filter((e) => e.value % 2 === 0).map((e) => e.value));
    const finalSums = new Map<string, number>();
    for (const entry of results['odd-sums'] as string[]) {
      const [key, sum] = entry.split(':');
      finalSums.set(key!, Math.max(finalSums.get(key!) ?? 0, Number(sum)));
    }
    const expected = new Map<string, number>();
    for (const e of events.filter((x) => x.value % 2 === 1)) expected.set(e.key, (expected.get(e.key) ?? 0) + e.value);
    assert.deepEqual(finalSums, expected);
  });

  test('a custom trigger (every 3 records of a window) replaces the event-time trigger', async () => {
    const actual = await runWindows({ kind: 'tumbling-trigger', n, keys, delay: 300 });
    assert.deepEqual(canonical(actual), canonical(referenceWindows('tumbling-trigger', n, keys, 300, 0)));
  });

  test('stop with a savepoint mid-window, restore at parallelism 1 and 3: the two runs together emit exactly the uninterrupted output', async () => {
    const args = { kind: 'tumbling', n: 1200, keys, delay: 300, 'pause-every': 2 };
    const expected = canonical(referenceWindows('tumbling', 1200, keys, 300, 0));
    const jm = cluster!.jobManager;
    const flags = ['--', ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)])];
    for (const parallelism of [1, 3]) {
      const submitted = await runCliJson<{ jobId: string }>(['run', JOB, '--jobmanager', jm.rpcAddress, '-p', '2', '--detached', '--output', 'json', ...flags], { timeoutMs: 60_000 });
      await waitFor(async () => {
        const job = (await (await fetch(`${jm.restUrl}/jobs/${submitted.jobId}`)).json()) as { state: string; vertices?: { subtasks: { state: string }[] }[] };
        return job.state === 'RUNNING' && (job.vertices ?? []).every((v) => v.subtasks.every((s) => s.state === 'RUNNING')) ? true : undefined;
      }, { timeoutMs: 30_000, what: 'the windows job running' });
      await new Promise((resolve) => setTimeout(resolve, 2000)); // some windows fired, some open (the source runs ~12 s)
      const stopped = await runCliJson<{ savepointPath: string }>(['stop', submitted.jobId, '--savepoint', join(dir, `savepoints-${parallelism}`), '--jobmanager', jm.rpcAddress], { timeoutMs: 60_000 });
      const first = await waitFor(async () => {
        const job = (await (await fetch(`${jm.restUrl}/jobs/${submitted.jobId}`)).json()) as { state: string; results?: Record<string, unknown[]> };
        return ['FINISHED', 'CANCELED', 'FAILED'].includes(job.state) ? job : undefined;
      }, { timeoutMs: 30_000, what: 'the stopped job to end' });
      const before = (first.results?.['windows'] ?? []) as WindowResult[];
      assert.ok(before.length > 0 && before.length < expected.length, `stopped mid-stream: ${before.length} of ${expected.length} windows out`);
      const restored = await runCli(['run', JOB, '--jobmanager', jm.rpcAddress, '-p', String(parallelism), '--from-savepoint', stopped.savepointPath, '--output', 'json', ...flags], { timeoutMs: 90_000 });
      assert.equal(restored.code, 0, restored.stderr);
      const after = ((JSON.parse(restored.stdout) as { results: Record<string, unknown[]> }).results['windows'] ?? []) as WindowResult[];
      assert.deepEqual(canonical([...before, ...after]), expected, `restored at parallelism ${parallelism}`);
    }
  });
});
