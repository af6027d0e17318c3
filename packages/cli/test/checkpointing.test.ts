import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assignKeyGroups, diffAssignments } from '@rivulet/common';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  committedCounts,
  runCli,
  runCliJson,
  startCluster,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

const FIXTURES = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures');
const COUNT_JOB = join(FIXTURES, 'checkpointed-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-checkpointing-'));
let jm: StartedJobManager;
let tms: readonly StartedTaskManager[];

interface Status {
  state: string;
  'root-exception'?: string | null;
  checkpoints: { counts: { completed: number }; latest?: { completed?: { external_path?: string; id: number } | null } };
}

before(async () => {
  const set = [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`];
  const cluster = await startCluster({ taskManagers: 2, slots: 3, set });
  jm = cluster.jobManager;
  tms = cluster.taskManagers;
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

/** Exactly once: n records in all, and for every key the counts 1..total, each once. */
function assertExactlyOnce(output: string, n: number, keys: number): void {
  assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, keys));
}

async function submit(args: string[], settings: string[], options: string[] = []): Promise<string> {
  const result = await runCli([
    'run', COUNT_JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', ...options,
    ...settings.flatMap((s) => ['--set', s]), '--', ...args,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

/** What `rivulet status` prints, for the reads the tests report on. */
const cliStatus = (jobId: string): Promise<Status> => runCliJson<Status>(['status', jobId, '--jobmanager', jm.rpcAddress]);
/** The same details through REST, for polling: a CLI process per poll costs over a second of CPU, taken from the job under test on a small machine. */
const status = async (jobId: string): Promise<Status> => (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as Status;

async function waitForCheckpoints(jobId: string, count: number): Promise<Status> {
  return waitFor(async () => {
    const s = await status(jobId);
    if (s.state !== 'RUNNING') throw new Error(`job ${jobId} is ${s.state}: ${s['root-exception'] ?? ''}`);
    return s.checkpoints.counts.completed >= count ? s : undefined;
  }, { timeoutMs: 30_000, what: `${count} completed checkpoints` });
}

async function waitForState(jobId: string, state: string): Promise<void> {
  await waitFor(async () => (await status(jobId)).state === state, { timeoutMs: 60_000, what: `job ${jobId} ${state}` });
}

describe('checkpoints, savepoints and restores', { timeout: 360_000 }, () => {
  test('cancelled, then restarted from its retained checkpoint: the output equals an uninterrupted run', async () => {
    const n = 600_000;
    const output = join(dir, 'cancel-restore');
    // Slow until cancelled (about 30 s of input), fast once restored.
    const args = (pauseMs: number): string[] => ['--n', String(n), '--keys', '10', '--pause-every', '50', '--pause-ms', String(pauseMs), '--output', output];
    const settings = ['execution.checkpointing.interval=500ms', 'execution.checkpointing.externalized-checkpoint-retention=RETAIN_ON_CANCELLATION'];
    const jobId = await submit(args(5), settings, ['--parallelism', '2']);
    await waitForCheckpoints(jobId, 2);
    const cancelled = await runCli(['cancel', jobId, '--jobmanager', jm.rpcAddress]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    await waitForState(jobId, 'CANCELED');
    const latest = (await cliStatus(jobId)).checkpoints.latest?.completed;
    assert.ok(latest?.external_path, 'the latest completed checkpoint is retained');

    const restored = await submit(args(0), ['execution.checkpointing.interval=500ms'], ['--parallelism', '2', '--from-savepoint', latest.external_path]);
    await waitForState(restored, 'FINISHED');
    assertExactlyOnce(output, n, 10);
  });

  test('stop with a savepoint at parallelism 4, restart at 3 and at 5: exactly the reference, moving the key groups the ring predicts', async () => {
    const n = 600_000;
    const keys = 40;
    const output = join(dir, 'rescale');
    const jobId = await submit(['--n', String(n), '--keys', String(keys), '--pause-every', '100', '--pause-ms', '5', '--output', output], ['execution.checkpointing.interval=1s'], ['--parallelism', '4']);
    await waitFor(async () => {
      const s = await status(jobId);
      if (s.state !== 'RUNNING') throw new Error(`job ${jobId} is ${s.state}: ${s['root-exception'] ?? ''}`);
      return readdirSync(output).some((f) => f.startsWith('part-'));
    }, { timeoutMs: 30_000, what: 'the job to commit output' });
    const stopped = await runCliJson<{ savepointPath: string }>(['stop', jobId, '--savepoint', join(dir, 'savepoints'), '--jobmanager', jm.rpcAddress], { timeoutMs: 60_000 });
    await waitForState(jobId, 'FINISHED');
    assert.ok(committedCounts(output).size > 0, 'output before the savepoint is committed');

    for (const parallelism of [3, 5]) {
      const copy = `${output}-p${parallelism}`;
      cpSync(output, copy, { recursive: true });
      const restored = await submit(
        ['--n', String(n), '--keys', String(keys), '--pause-ms', '0', '--output', copy],
        [],
        ['--parallelism', String(parallelism), '--from-savepoint', stopped.savepointPath],
      );
      await waitForState(restored, 'FINISHED');
      assertExactlyOnce(copy, n, keys);

      const planned = jm.daemon.logs.filter((e) => e.msg === 'restore planned').at(-1);
      assert.ok(planned, 'the JobManager logged the restore plan');
      const old = assignKeyGroups({ members: ['0', '1', '2', '3'], numberOfKeyGroups: 128 });
      const next = assignKeyGroups({ members: Array.from({ length: parallelism }, (_, i) => String(i)), numberOfKeyGroups: 128, previous: old });
      assert.equal(planned['path'], stopped.savepointPath);
      assert.equal(planned['movedKeyGroups'], diffAssignments(old, next).moves.length, `key groups moved going 4 -> ${parallelism}`);
    }
  });

  test('barrier alignment: a keyed count with one slow input never snapshots records from after the barrier', async () => {
    const n = 400_000;
    const output = join(dir, 'aligned');
    const args = ['--n', String(n), '--output', output];
    const job = join(FIXTURES, 'aligned-count-job.ts');
    const settings = ['--set', 'execution.checkpointing.interval=300ms', '--set', 'execution.checkpointing.externalized-checkpoint-retention=RETAIN_ON_CANCELLATION'];
    const first = await runCli(['run', job, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', ...settings, '--', ...args]);
    assert.equal(first.code, 0, first.stderr);
    const jobId = (JSON.parse(first.stdout) as { jobId: string }).jobId;
    await waitForCheckpoints(jobId, 2);
    const cancelled = await runCli(['cancel', jobId, '--jobmanager', jm.rpcAddress]);
    assert.equal(cancelled.code, 0, `the job must still run when cancelled: ${cancelled.stderr}`);
    await waitForState(jobId, 'CANCELED');
    const checkpoint = (await cliStatus(jobId)).checkpoints.latest?.completed?.external_path;
    assert.ok(checkpoint);
    const second = await runCli(['run', job, '--jobmanager', jm.rpcAddress, '--from-savepoint', checkpoint, '--', ...args], { timeoutMs: 90_000 });
    assert.equal(second.code, 0, second.stderr);
    assertExactlyOnce(output, n, 7);
  });

  test('a bounded job ends with a final checkpoint, taken as soon as the data of every task ended: nothing is visible before it, all of it after', async () => {
    const n = 30_000;
    const output = join(dir, 'final');
    // An hour between checkpoints: the only checkpoint the job takes is the final one.
    const jobId = await submit(['--n', String(n), '--keys', '9', '--pause-every', '100', '--pause-ms', '20', '--output', output], ['execution.checkpointing.interval=1h'], ['--parallelism', '2']);
    // Every poll: the visible output is read first, then the status (REST: a CLI start-up per poll could miss
    // the whole run on a loaded machine); while no checkpoint had completed, nothing is visible.
    const restStatus = async (): Promise<{ state: string; completed: number }> => {
      const { state } = (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as { state: string };
      const { counts } = (await (await fetch(`${jm.restUrl}/jobs/${jobId}/checkpoints`)).json()) as { counts: { completed: number } };
      return { state, completed: counts.completed };
    };
    let pollsBeforeFinal = 0;
    await waitFor(async () => {
      const visible = committedCounts(output).size;
      const s = await restStatus();
      if (s.state === 'RUNNING' && s.completed === 0) {
        assert.equal(visible, 0, 'nothing is visible before the final checkpoint');
        pollsBeforeFinal += 1;
      }
      return s.state !== 'RUNNING' ? true : undefined;
    }, { timeoutMs: 60_000, what: 'the job to end', intervalMs: 20 });
    assert.ok(pollsBeforeFinal > 0);
    assert.ok(tms.some((tm) => tm.daemon.logs.some((l) => l.msg === 'end of data: waiting for the final checkpoint' && l['jobId'] === jobId)), 'the tasks waited for the final checkpoint');
    await waitForState(jobId, 'FINISHED');
    const done = await cliStatus(jobId);
    assert.equal(done.checkpoints.counts.completed, 1, 'one checkpoint: the final one, not waiting for the interval');
    assertExactlyOnce(output, n, 9);
  });
});
