import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  committedCounts,
  runCli,
  runCliJson,
  startCluster,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

/**
 * The Source API end to end: a source of its own (fixtures/range-source-job.ts,
 * written only against the public API) on a real cluster — its enumerator in
 * the JobManager's source coordinator thread, its readers in TaskManager slot
 * threads. One cluster for the file: 3 TaskManagers of 2 slots.
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'range-source-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-source-api-'));
const settings = [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`];
let jm: StartedJobManager;
let tms: StartedTaskManager[];

interface Status {
  state: string;
  'root-exception'?: string | null;
  checkpoints: { counts: { completed: number } };
}

before(async () => {
  const cluster = await startCluster({ taskManagers: 3, slots: 2, set: settings });
  jm = cluster.jobManager;
  tms = [...cluster.taskManagers];
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

async function submit(args: readonly string[], options: readonly string[]): Promise<string> {
  const result = await runCli(['run', JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', ...options, '--', ...args]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

/** The job's details through REST (what `rivulet status` prints): polled often, and a CLI process per poll costs over a second of CPU, taken from the job under test on a small machine. */
const status = async (jobId: string): Promise<Status> => (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as Status;

async function waitForEnd(jobId: string, timeoutMs = 60_000): Promise<Status> {
  return waitFor(async () => {
    const s = await status(jobId);
    return ['FINISHED', 'FAILED', 'CANCELED'].includes(s.state) ? s : undefined;
  }, { timeoutMs, what: `job ${jobId} to end` });
}

async function waitForCheckpoints(jobId: string, count: number): Promise<void> {
  await waitFor(async () => {
    const s = await status(jobId);
    if (s.state !== 'RUNNING') throw new Error(`job ${jobId} is ${s.state}: ${s['root-exception'] ?? ''}`);
    return s.checkpoints.counts.completed >= count;
  }, { timeoutMs: 60_000, what: `${count} completed checkpoints of job ${jobId}` });
}

describe('Source API (real processes)', { timeout: 300_000 }, () => {
  test('a bounded source of its own ends the job, every number read exactly once', async () => {
    const n = 20_000;
    const output = join(dir, 'bounded');
    const jobId = await submit(['--n', String(n), '--keys', '7', '--splits', '9', '--output', output], ['--parallelism', '3']);
    const end = await waitForEnd(jobId);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 7));
  });

  test('an enumerator that throws fails the job with an error naming the source and the method', async () => {
    const jobId = await submit(
      ['--n', '1000', '--keys', '3', '--fail-enumerator', 'true', '--output', join(dir, 'failing')],
      ['--parallelism', '2', '--set', 'restart-strategy.type=none'],
    );
    const end = await waitForEnd(jobId);
    assert.equal(end.state, 'FAILED');
    assert.match(end['root-exception'] ?? '', /source 'Ranges' \(ranges\).*handleSplitRequest\(\) failed: the test asked this enumerator to fail/);
  });

  test('an enumerator stuck in a loop fails the job, naming the source, and leaves the JobManager serving', async () => {
    const jobId = await submit(
      ['--n', '1000', '--keys', '3', '--fail-enumerator', 'block', '--output', join(dir, 'stuck')],
      ['--parallelism', '1', '--set', 'restart-strategy.type=none'],
    );
    const end = await waitForEnd(jobId);
    assert.equal(end.state, 'FAILED');
    assert.match(end['root-exception'] ?? '', /the split enumerator of source 'Ranges' \(ranges\) blocks the source coordinator thread/);
  });

  test('checkpointed, with a TaskManager killed (kill -9) mid-run: every number exactly once', async () => {
    const n = 120_000;
    const output = join(dir, 'kill');
    const jobId = await submit(
      ['--n', String(n), '--keys', '11', '--splits', '24', '--pause-every', '40', '--pause-ms', '2', '--output', output],
      ['--parallelism', '4', '--set', 'execution.checkpointing.interval=300ms'],
    );
    await waitForCheckpoints(jobId, 2);
    const victim = tms.shift()!;
    victim.daemon.signal('SIGKILL');
    tms.push(await startTaskManager(jm.rpcAddress, { slots: 2, name: 'tm-replacement', set: settings }));
    const end = await waitForEnd(jobId, 120_000);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
  });

  test('a savepoint, then a restore at another parallelism: nothing read twice or skipped', async () => {
    const n = 100_000;
    const output = join(dir, 'rescale');
    const args = (pauseMs: number): string[] => ['--n', String(n), '--keys', '13', '--splits', '20', '--pause-every', '40', '--pause-ms', String(pauseMs), '--output', output];
    const jobId = await submit(args(3), ['--parallelism', '2', '--set', 'execution.checkpointing.interval=500ms']);
    await waitFor(async () => {
      const s = await status(jobId);
      if (s.state !== 'RUNNING') throw new Error(`job ${jobId} is ${s.state}: ${s['root-exception'] ?? ''}`);
      return readdirSync(output).some((f) => f.startsWith('part-'));
    }, { timeoutMs: 60_000, what: 'the job to commit output' });
    const stopped = await runCliJson<{ savepointPath: string }>(['stop', jobId, '--savepoint', join(dir, 'savepoints'), '--jobmanager', jm.rpcAddress], { timeoutMs: 60_000 });
    assert.equal((await waitForEnd(jobId)).state, 'FINISHED');
    const before = [...committedCounts(output).values()].reduce((sum, counts) => sum + counts.length, 0);
    assert.ok(before > 0 && before < n, `part of the input was read before the savepoint (${before} of ${n})`);
    const restored = await submit(args(0), ['--parallelism', '3', '--from-savepoint', stopped.savepointPath]);
    const end = await waitForEnd(restored);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 13));
  });
});
