import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT,
  parsePrometheusText,
  runCli,
  runCliJson,
  startCluster,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

/**
 * User code that loops forever or allocates without bound runs in its slot's
 * thread: it is ended there, and the TaskManager (same process, same
 * registration) and its other slot keep running jobs.
 */
const HOSTILE_JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'hostile-job.ts');
const CANCELLATION_TIMEOUT_MS = 3000;
const HEAP_PER_SLOT_MB = 128;
const HEARTBEAT_INTERVAL_MS = 200;

const TM_TMP = mkdtempSync(join(tmpdir(), 'rivulet-isolation-'));
let jm: StartedJobManager;
let tm: StartedTaskManager;

interface Details {
  state: string;
  'root-exception': string | null;
  exceptions: { message: string; cause: string }[];
  results: Record<string, { key: number; sum: number }[]>;
  timestamps: Record<string, number>;
}

before(async () => {
  const cluster = await startCluster({
    taskManagers: 1,
    slots: 2,
    set: [
      `heartbeat.interval=${HEARTBEAT_INTERVAL_MS}ms`,
      `task.cancellation.timeout=${CANCELLATION_TIMEOUT_MS}ms`,
      'task.cancellation.interval=1s',
      `taskmanager.memory.task.heap.size=${2 * HEAP_PER_SLOT_MB}m`,
      `taskmanager.tmp.dirs=${TM_TMP}`,
    ],
  });
  jm = cluster.jobManager;
  tm = cluster.taskManagers[0]!;
});
after(async () => {
  await stopAllProcesses();
  rmSync(TM_TMP, { recursive: true, force: true });
});

/** The TaskManager's slot threads in `state` (job: held by a job; spare: started, waiting for one). */
async function slotThreads(state: 'job' | 'spare'): Promise<number> {
  const families = parsePrometheusText(await (await fetch(`http://127.0.0.1:${tm.httpPort}/metrics`)).text());
  const sample = families.find((f) => f.name === 'rivulet_taskmanager_slot_threads')?.metrics.find((m) => m.labels?.['state'] === state);
  return Number(sample?.value ?? NaN);
}

async function submit(args: readonly string[], parallelism = 1): Promise<string> {
  const result = await runCli(['run', HOSTILE_JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', '--parallelism', String(parallelism), '--', ...args]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

const details = (jobId: string): Promise<Details> => runCliJson<Details>(['status', jobId, '--jobmanager', jm.rpcAddress]);

function ended(jobId: string, timeoutMs = 60_000): Promise<Details> {
  return waitFor(async () => {
    const d = await details(jobId);
    return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
  }, { timeoutMs, intervalMs: 100, what: `job ${jobId} to end` });
}

async function overview(): Promise<{ taskmanagers: number; 'slots-total': number; 'slots-available': number }> {
  return (await (await fetch(`${jm.restUrl}/overview`)).json()) as { taskmanagers: number; 'slots-total': number; 'slots-available': number };
}

/** Sums of 1..n by key i % keys, as the count behaviour computes them. */
function expectedSums(n: number, keys: number): Map<number, number> {
  const sums = new Map<number, number>();
  for (let i = 1; i <= n; i++) sums.set(i % keys, (sums.get(i % keys) ?? 0) + i);
  return sums;
}

/** The last running sum per key of a finished count job. */
function finalSums(d: Details): Map<number, number> {
  const sums = new Map<number, number>();
  for (const { key, sum } of d.results['counts'] ?? []) sums.set(key, Math.max(sums.get(key) ?? 0, sum));
  return sums;
}

/** The JobManager's largest gap between two heartbeats of the TaskManager since it registered, in ms. */
async function largestHeartbeatGapMs(): Promise<number> {
  const families = parsePrometheusText(await (await fetch(`${jm.restUrl}/metrics`)).text());
  const family = families.find((f) => f.name === 'rivulet_jobmanager_taskmanager_heartbeat_gap_max_seconds');
  const sample = family?.metrics.find((m) => m.labels?.['tm_id'] === tm.resourceId);
  if (sample === undefined) throw new Error('the JobManager exports no heartbeat gap for the TaskManager');
  return Number(sample.value) * 1000;
}

describe('user code cannot break a TaskManager', { timeout: 240_000 }, () => {
  test('a map burning 5 ms of CPU per record in both slots for ~20 s finishes; the JobManager never waits 1 s for a heartbeat', async (t) => {
    const started = performance.now();
    const jobId = await submit(['--behaviour', 'burn', '--cpu-ms', '5', '--n', '8000', '--keys', '7'], 2);
    const done = await ended(jobId, 120_000);
    assert.equal(done.state, 'FINISHED', done['root-exception'] ?? '');
    assert.deepEqual(finalSums(done), expectedSums(8000, 7));
    const ranMs = done.timestamps['FINISHED']! - done.timestamps['RUNNING']!;
    const gapMs = await largestHeartbeatGapMs();
    t.diagnostic(`burned for ${ranMs} ms (${Math.round(performance.now() - started)} ms with submission); largest heartbeat gap ${Math.round(gapMs)} ms (interval ${HEARTBEAT_INTERVAL_MS} ms)`);
    assert.ok(ranMs >= 15_000, `the job ran ${ranMs} ms: 4000 records x 5 ms per subtask should take ~20 s`);
    assert.ok(gapMs < 1000, `the JobManager waited ${Math.round(gapMs)} ms for a heartbeat while user code burned CPU`);
  });

  test('a user function in an endless loop: cancel ends the job within task.cancellation.timeout + 1 s, the slot runs the next job', async () => {
    const pid = tm.daemon.pid;
    const jobId = await submit(['--behaviour', 'loop']);
    await waitFor(async () => (await details(jobId)).state === 'RUNNING', { timeoutMs: 20_000, what: 'the looping job to run' });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the map is inside its loop by now
    const cancel = await runCli(['cancel', jobId, '--jobmanager', jm.rpcAddress]);
    assert.equal(cancel.code, 0, cancel.stderr);
    const d = await ended(jobId, 20_000);
    assert.equal(d.state, 'CANCELED');
    // From the JobManager's own clock: the cancel arrived (CANCELLING) -> every task ended (CANCELED).
    const tookMs = d.timestamps['CANCELED']! - d.timestamps['CANCELLING']!;
    assert.ok(tookMs <= CANCELLATION_TIMEOUT_MS + 1000, `cancelled after ${tookMs} ms, more than the cancellation timeout ${CANCELLATION_TIMEOUT_MS} ms + 1 s`);
    assert.ok(tookMs >= CANCELLATION_TIMEOUT_MS - 500, `the looping task ended after ${tookMs} ms: before its cancellation timeout, so it was not stuck`);
    await waitFor(async () => (await overview())['slots-available'] === 2, { timeoutMs: 10_000, what: 'both slots to be offered again' });

    // Both slots, including the one whose thread was ended, run the next job.
    const next = await submit(['--behaviour', 'count', '--n', '20000', '--keys', '5'], 2);
    const done = await ended(next);
    assert.equal(done.state, 'FINISHED', done['root-exception'] ?? '');
    assert.deepEqual(finalSums(done), expectedSums(20_000, 5));
    assert.equal(tm.daemon.pid, pid);
    assert.ok(tm.daemon.running, 'the TaskManager process still runs');
    assert.equal((await overview()).taskmanagers, 1);
  });

  test('a user function that allocates without bound fails its task with the memory cause; a job on the other slot finishes correctly', async () => {
    const pid = tm.daemon.pid;
    const good = await submit(['--behaviour', 'burn', '--cpu-ms', '1', '--n', '4000', '--keys', '3']);
    await waitFor(async () => (await details(good)).state === 'RUNNING', { timeoutMs: 20_000, what: 'the good job to run' });
    const hog = await submit(['--behaviour', 'allocate']);
    const failed = await ended(hog, 60_000);
    assert.equal(failed.state, 'FAILED');
    const causes = failed.exceptions.map((e) => e.message).join('\n');
    assert.match(causes, /slot \d of TaskManager .* ran out of memory: its thread exceeded its heap limit of 128 MB/);
    assert.match(causes, /\(Source: Sequence -> Map \(1\/1\) was running when it happened\)/);
    const done = await ended(good);
    assert.equal(done.state, 'FINISHED', done['root-exception'] ?? '');
    assert.deepEqual(finalSums(done), expectedSums(4000, 3));
    assert.equal(tm.daemon.pid, pid);
    assert.ok(tm.daemon.running, 'the TaskManager process still runs');
  });

  test('a job that ended leaves nothing on the TaskManager: its slot threads end, its bundle folder goes; a graceful stop removes the rest', async () => {
    const jobId = await submit(['--behaviour', 'count', '--n', '1000', '--keys', '2'], 2);
    assert.equal((await ended(jobId)).state, 'FINISHED');
    const workDir = join(TM_TMP, `rivulet-taskmanager-${tm.daemon.pid}`);
    await waitFor(async () => (await slotThreads('job')) === 0, { timeoutMs: 10_000, what: 'every thread of the job to end' });
    assert.equal(await slotThreads('spare'), 2, 'each slot has a fresh spare thread for its next job');
    await waitFor(() => !existsSync(join(workDir, 'jobs')) || readdirSync(join(workDir, 'jobs')).length === 0, { timeoutMs: 10_000, what: 'the job bundles to be removed' });
    assert.ok(readdirSync(TM_TMP).some((name) => name.startsWith('rivulet-local-state-')), 'local recovery keeps its folder while the TaskManager runs');
    tm.daemon.signal('SIGTERM');
    assert.deepEqual(await tm.daemon.exited, { code: 0, signal: null });
    assert.deepEqual(readdirSync(TM_TMP), [], 'no work folder and no local-state folder is left behind');
  });
});
