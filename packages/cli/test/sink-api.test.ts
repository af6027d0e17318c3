import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT,
  runCli,
  startCluster,
  s3rverSettings,
  startS3Server,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedCluster,
  type StartedS3Server,
} from '@rivulet/testing';

/**
 * The Sink API end to end, with a user-defined two-phase-commit sink written
 * in a test job against the public API only (rename-commit-sink-job.ts):
 * exactly once across kill -9 of a TaskManager, a stop whose savepoint fails
 * (nothing committed, the job runs on), and a committer's known failure
 * (the job fails naming the sink). One cluster: two TaskManagers of two slots.
 */

const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'rename-commit-sink-job.ts');
const BUCKET = 'savepoints';
const dir = mkdtempSync(join(tmpdir(), 'rivulet-sink-api-'));
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
let cluster: StartedCluster;
let s3: StartedS3Server;
let settings: string[];

interface Details {
  state: string;
  'root-exception': string | null;
  restarts: { numRestarts: number };
  vertices: { subtasks: { state: string; taskmanager: string | null }[] }[];
  checkpoints: { counts: { completed: number; failed: number } };
}

const details = async (jobId: string): Promise<Details> =>
  (await (await fetch(`${cluster.jobManager.restUrl}/jobs/${jobId}`)).json()) as Details;
const allRunning = (d: Details): boolean => d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING'));

async function submit(output: string, jobSettings: readonly string[], args: readonly string[]): Promise<string> {
  const result = await runCli([
    'run', JOB, '--jobmanager', cluster.jobManager.rpcAddress, '--detached', '--output', 'json', '--parallelism', '2',
    ...jobSettings.flatMap((s) => ['--set', s]),
    '--', '--output', output, ...args,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

async function jobEnd(jobId: string, timeoutMs: number): Promise<Details> {
  return waitFor(async () => {
    const d = await details(jobId);
    return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
  }, { timeoutMs, what: `job ${jobId} to end` });
}

/** The committed (visible) records: the lines of the part-* files, as numbers. */
function committed(output: string): number[] {
  if (!existsSync(output)) return [];
  return readdirSync(output)
    .filter((name) => name.startsWith('part-'))
    .flatMap((name) => readFileSync(join(output, name), 'utf8').split('\n').filter((line) => line !== ''))
    .map(Number);
}

before(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  settings = [
    `execution.checkpointing.dir=${join(dir, 'checkpoints')}`,
    ...s3rverSettings(s3),
    's3.retry.deadline=2s',
  ];
  cluster = await startCluster({ taskManagers: 2, slots: 2, set: settings });
});

after(async () => {
  await stopAllProcesses();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Sink API: a user-defined two-phase-commit sink', { timeout: 120_000 }, () => {
  test('a committer that signals a known failure fails the job with an error naming the sink', async () => {
    const output = join(dir, 'failing');
    const jobId = await submit(output, ['execution.checkpointing.interval=300ms', 'restart-strategy.type=none'], [
      '--n', '100000', '--delay-every', '500', '--delay-ms', '20', '--fail-commit', 'true',
    ]);
    const end = await jobEnd(jobId, 30_000);
    assert.equal(end.state, 'FAILED');
    assert.match(end['root-exception'] ?? '', /sink 'Rename Sink' \(operator [^)]+\) \(\d\/2\): committing a committable of checkpoint \d+ failed: refusing to rename/);
    assert.deepEqual(committed(output), [], 'nothing was committed');
  });

  test('stop with a savepoint that fails: nothing is committed and the job keeps running; a later stop commits', async () => {
    const output = join(dir, 'stopped');
    // No periodic checkpoints: only a completed stop-with-savepoint may commit anything.
    const jobId = await submit(output, [], ['--n', '1000000', '--delay-every', '200', '--delay-ms', '20']);
    await waitFor(async () => allRunning(await details(jobId)), { timeoutMs: 20_000, what: 'the job running' });
    await s3.stop();
    try {
      const stop = await runCli(['stop', jobId, '--savepoint', `s3://${BUCKET}/stop`, '--jobmanager', cluster.jobManager.rpcAddress], { timeoutMs: 60_000 });
      assert.notEqual(stop.code, 0, `the stop must fail while S3 is down: ${stop.stdout}`);
      assert.match(stop.stderr, /savepoint/i, 'the error says the savepoint failed');
    } finally {
      await s3.start();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // time for a wrongly ended source to finish the job
    const d = await details(jobId);
    assert.ok(allRunning(d), `the job still runs after the failed stop: ${d.state} ${d['root-exception'] ?? ''}`);
    assert.deepEqual(committed(output), [], 'nothing was committed by the failed stop');

    const stop = await runCli(['stop', jobId, '--savepoint', join(dir, 'savepoints'), '--jobmanager', cluster.jobManager.rpcAddress], { timeoutMs: 60_000 });
    assert.equal(stop.code, 0, stop.stderr);
    const end = await jobEnd(jobId, 30_000);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    const records = committed(output);
    assert.ok(records.length > 0 && records.length < 1_000_000, `the completed savepoint's records were committed (${records.length})`);
    assert.equal(new Set(records).size, records.length, 'no record twice');
  });

  test('kill -9 of a TaskManager with checkpoints on: the committed output holds every record exactly once', async () => {
    const n = 40_000;
    const output = join(dir, 'killed');
    const jobId = await submit(output, ['execution.checkpointing.interval=300ms'], ['--n', String(n), '--delay-every', '100', '--delay-ms', '15']);
    const running = await waitFor(async () => {
      const d = await details(jobId);
      if (d.state === 'FINISHED' || d.state === 'FAILED') throw new Error(`job ${d.state} before the kill: ${d['root-exception']}`);
      return allRunning(d) && d.checkpoints.counts.completed >= 2 && committed(output).length > 0 ? d : undefined;
    }, { timeoutMs: 30_000, what: 'two completed checkpoints and committed output', intervalMs: 50 });
    const host = running.vertices[0]!.subtasks[0]!.taskmanager!;
    const victim = cluster.taskManagers.find((tm) => tm.resourceId === host);
    assert.ok(victim, `subtask 0 runs on a TaskManager of the cluster (${host})`);
    victim.daemon.signal('SIGKILL');
    await victim.daemon.exited;
    await startTaskManager(cluster.jobManager.rpcAddress, { slots: 2, name: 'tm3', set: settings });
    const end = await jobEnd(jobId, 90_000);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.ok(end.restarts.numRestarts >= 1, 'the job restarted after the kill');
    const records = committed(output).sort((a, b) => a - b);
    assert.equal(records.length, n, `every record committed once (${records.length} lines for ${n} records)`);
    assert.deepEqual(records, Array.from({ length: n }, (_, i) => i));
  });
});
