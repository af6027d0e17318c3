import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { REPO_ROOT, runCli, runCliJson, startCluster, startTaskManager, stopAllProcesses, waitFor, type StartedCluster } from '@rivulet/testing';
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
  cluster = await startCluster({ taskManagers: 2, slots: 2, set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`] });
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

/** `rivulet run … --detached`; not runCliJson, which would append `--output json` after the job's own arguments. */
async function submitDetached(args: readonly string[], options: { timeoutMs: number }): Promise<{ jobId: string }> {
  const result = await runCli(args, options);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as { jobId: string };
}

/** The results the exactly-once file sink committed in `dir` (one JSON line each). */
function committedResults(dir: string): WindowResult[] {
  return (existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('part-')) : [])
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as WindowResult));
}

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

  test('evictors: countWindow(4, 2) (count trigger and count evictor) and a TimeEvictor on tumbling windows', async () => {
    assert.deepEqual(canonical(await runWindows({ kind: 'count-sliding', n, keys, delay: 300 })), canonical(referenceWindows('count-sliding', n, keys, 300, 0)));
    const evicted = referenceWindows('time-evictor', n, keys, 300, 0);
    const total = (results: readonly WindowResult[]): number => results.reduce((sum, r) => sum + r.count, 0);
    assert.ok(total(evicted) < total(referenceWindows('tumbling', n, keys, 300, 0)), 'the evictor removes records (the test is not vacuous)');
    assert.deepEqual(canonical(await runWindows({ kind: 'time-evictor', n, keys, delay: 300 })), canonical(evicted));
  });

  test('a custom trigger (every 3 records of a window) replaces the event-time trigger', async () => {
    const actual = await runWindows({ kind: 'tumbling-trigger', n, keys, delay: 300 });
    assert.deepEqual(canonical(actual), canonical(referenceWindows('tumbling-trigger', n, keys, 300, 0)));
  });

  test('stop with a savepoint mid-window, restore at parallelism 1 and 3: output exactly the uninterrupted one', async () => {
    const jm = cluster!.jobManager;
    const n = 3000;
    const output = join(dir, 'stopped');
    const jobArgs = ['--kind', 'tumbling', '--n', String(n), '--keys', String(keys), '--delay', '300', '--pause-every', '10', '--pause-ms', '10'];
    const expected = canonical(referenceWindows('tumbling', n, keys, 300, 0));
    const submitted = await submitDetached([
      'run', JOB, '--jobmanager', jm.rpcAddress, '-p', '2', '--detached', '--output', 'json', '--set', 'execution.checkpointing.interval=300ms', '--', ...jobArgs, '--output', output,
    ], { timeoutMs: 60_000 });
    await waitFor(() => (committedResults(output).length > 0 ? true : undefined), { timeoutMs: 60_000, what: 'the first windows committed' });
    const stopped = await runCliJson<{ savepointPath: string }>(['stop', submitted.jobId, '--savepoint', join(dir, 'savepoints'), '--jobmanager', jm.rpcAddress], { timeoutMs: 60_000 });
    await waitFor(async () => {
      const job = (await (await fetch(`${jm.restUrl}/jobs/${submitted.jobId}`)).json()) as { state: string };
      return ['FINISHED', 'CANCELED', 'FAILED'].includes(job.state) ? true : undefined;
    }, { timeoutMs: 30_000, what: 'the stopped job to end' });
    const before = committedResults(output).length;
    assert.ok(before > 0 && before < expected.length, `stopped mid-stream: ${before} of ${expected.length} windows out`);
    for (const parallelism of [1, 3]) {
      const copy = join(dir, `restored-${parallelism}`);
      cpSync(output, copy, { recursive: true });
      const restored = await runCli([
        'run', JOB, '--jobmanager', jm.rpcAddress, '-p', String(parallelism), '--from-savepoint', stopped.savepointPath, '--output', 'json', '--', ...jobArgs, '--output', copy,
      ], { timeoutMs: 90_000 });
      assert.equal(restored.code, 0, restored.stderr);
      assert.deepEqual(canonical(committedResults(copy)), expected, `restored at parallelism ${parallelism}`);
    }
  });

  test('kill -9 of a TaskManager mid-stream, checkpoints to the exactly-once file sink: the committed output is exactly the fault-free output', async () => {
    const jm = cluster!.jobManager;
    const output = join(dir, 'killed');
    const n = 3000;
    const submitted = await submitDetached([
      'run', JOB, '--jobmanager', jm.rpcAddress, '-p', '2', '--detached', '--output', 'json', '--set', 'execution.checkpointing.interval=300ms',
      '--', '--kind', 'tumbling', '--n', String(n), '--keys', String(keys), '--delay', '300', '--pause-every', '10', '--pause-ms', '10', '--output', output,
    ], { timeoutMs: 60_000 });
    const committed = (): WindowResult[] => committedResults(output);
    await waitFor(() => (committed().length > 0 ? true : undefined), { timeoutMs: 60_000, what: 'the first windows committed' });
    const victim = cluster!.taskManagers[1]!;
    victim.daemon.signal('SIGKILL');
    const end = await waitFor(async () => {
      const job = (await (await fetch(`${jm.restUrl}/jobs/${submitted.jobId}`)).json()) as { state: string; restarts?: { numRestarts: number }; 'root-exception': string | null };
      return ['FINISHED', 'FAILED', 'CANCELED'].includes(job.state) ? job : undefined;
    }, { timeoutMs: 120_000, what: 'the job to end after the TaskManager was killed' });
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.ok((end.restarts?.numRestarts ?? 0) >= 1, 'the job restarted after the loss');
    assert.deepEqual(canonical(committed()), canonical(referenceWindows('tumbling', n, keys, 300, 0)));
    // The rest of the file keeps two TaskManagers.
    cluster = { ...cluster!, taskManagers: [cluster!.taskManagers[0]!, await startTaskManager(jm.rpcAddress, { slots: 2, name: 'tm3', set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`] })] };
  });
});
