import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, runCli, runCliJson, startCluster, stopAllProcesses, waitFor, type StartedJobManager } from '@rivulet/testing';
import type { RestoredLists } from './fixtures/operator-list-state-job.js';

/**
 * State TTL and operator list state on a real cluster (one JobManager, 2
 * TaskManagers x 3 slots, shared by the tests): a keyed job whose state
 * expires between writes and reads, and a savepoint of a job with a split
 * and a union operator list state restored at a smaller and a larger
 * parallelism.
 */
const FIXTURES = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures');
const TTL_JOB = join(FIXTURES, 'state-ttl-job.ts');
const LIST_JOB = join(FIXTURES, 'operator-list-state-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-ttl-operator-state-'));
let jm: StartedJobManager;

interface JobDetails {
  state: string;
  'root-exception': string | null;
  results: Record<string, unknown[]>;
}

interface Status {
  state: string;
  'root-exception'?: string | null;
  checkpoints: { counts: { completed: number } };
}

before(async () => {
  const cluster = await startCluster({ taskManagers: 2, slots: 3, set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`] });
  jm = cluster.jobManager;
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a job attached and returns its details (state, results). */
async function runAttached(job: string, options: readonly string[], args: readonly string[]): Promise<JobDetails> {
  const result = await runCli(['run', job, '--jobmanager', jm.rpcAddress, '--output', 'json', ...options, '--', ...args], { timeoutMs: 90_000 });
  const start = result.stdout.indexOf('{');
  assert.ok(start >= 0, `no job details in the output: ${result.stdout}\n${result.stderr}`);
  const details = JSON.parse(result.stdout.slice(start)) as JobDetails;
  assert.equal(details.state, 'FINISHED', details['root-exception'] ?? '');
  return details;
}

const status = (jobId: string): Promise<Status> => runCliJson<Status>(['status', jobId, '--jobmanager', jm.rpcAddress]);

describe('state TTL and operator list state', { timeout: 300_000 }, () => {
  test('keyed state with a TTL: a value and map entries written before a pause longer than the TTL are gone, later ones are not', async () => {
    const details = await runAttached(TTL_JOB, ['--parallelism', '1'], ['--ttl-ms', '1000', '--sleep-ms', '1500']);
    assert.deepEqual(details.results['out'], ['a=expired entries=', 'b=2 entries=b2']);
  });

  test('a savepoint of split and union list state restored at 2 and at 5 subtasks: split elements exactly once, union lists everywhere', async () => {
    const perSubtask = 20;
    const written = 3;
    const started = await runCli([
      'run', LIST_JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', '--parallelism', String(written),
      '--set', 'execution.checkpointing.interval=500ms', '--', '--phase', 'write', '--per-subtask', String(perSubtask), '--pause-ms', '1',
    ]);
    assert.equal(started.code, 0, started.stderr);
    const jobId = (JSON.parse(started.stdout) as { jobId: string }).jobId;
    // Two completed checkpoints: every subtask has been running for well over the 20 ms its 20 elements take.
    await waitFor(async () => {
      const s = await status(jobId);
      if (s.state !== 'RUNNING' && s.state !== 'CREATED') throw new Error(`job ${jobId} is ${s.state}: ${s['root-exception'] ?? ''}`);
      return s.checkpoints.counts.completed >= 2;
    }, { timeoutMs: 60_000, what: 'two completed checkpoints' });
    const stopped = await runCliJson<{ savepointPath: string }>(['stop', jobId, '--savepoint', join(dir, 'savepoints'), '--jobmanager', jm.rpcAddress], { timeoutMs: 60_000 });
    await waitFor(async () => (await status(jobId)).state === 'FINISHED', { timeoutMs: 60_000, what: 'the stopped job to finish' });

    const expectedSplit = Array.from({ length: written }, (_, i) => Array.from({ length: perSubtask }, (_, j) => `${i}:${j}`)).flat().sort();
    const expectedUnion = Array.from({ length: written }, (_, i) => `member-${i}`);
    for (const parallelism of [2, 5]) {
      const details = await runAttached(
        LIST_JOB,
        ['--parallelism', String(parallelism), '--from-savepoint', stopped.savepointPath, '--allow-non-restored-state'],
        ['--phase', 'read', '--subtasks', String(parallelism)],
      );
      const restored = (details.results['restored'] ?? []) as RestoredLists[];
      assert.deepEqual(restored.map((r) => r.subtask).sort(), Array.from({ length: parallelism }, (_, i) => i), `p=${parallelism}: every subtask reported`);
      assert.ok(restored.every((r) => r.restored), 'isRestored() is true after a restore');
      assert.deepEqual(restored.flatMap((r) => r.split).sort(), expectedSplit, `p=${parallelism}: every split element restored exactly once`);
      const sizes = restored.map((r) => r.split.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `p=${parallelism}: split evenly (${sizes.join(', ')})`);
      for (const r of restored) assert.deepEqual([...r.union].sort(), expectedUnion, `p=${parallelism}: subtask ${r.subtask} got the whole union list`);
    }
  });
});
