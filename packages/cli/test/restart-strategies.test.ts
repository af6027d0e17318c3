import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  runCli,
  runCliJson,
  startCluster,
  stopAllProcesses,
  waitFor,
  parsePrometheusText,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

const FIXTURES = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures');
const FLAKY_JOB = join(FIXTURES, 'flaky-count-job.ts');
const TWO_PIPELINES_JOB = join(FIXTURES, 'two-pipelines-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-restarts-'));
let jm: StartedJobManager;
let taskManagers: readonly StartedTaskManager[] = [];
let runs = 0;

interface Details {
  state: string;
  'root-exception': string | null;
  exceptions: { timestamp: number; message: string; task: string | null; cause: string }[];
  restarts: { numRestarts: number; 'restart-strategy': string; 'failover-strategy': string };
  vertices: { id: string; subtasks: { subtask: number; state: string; attempt: string }[] }[];
  results: Record<string, unknown[]>;
}

before(async () => {
  const cluster = await startCluster({ taskManagers: 2, slots: 2, set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`] });
  jm = cluster.jobManager;
  taskManagers = cluster.taskManagers;
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

/** Submits the flaky count detached; returns its id and where its output goes. */
async function submitFlaky(settings: readonly string[], failures: number, n = 20_000, failAt = 5_000, pauseEvery = 100, failWhen = ''): Promise<{ jobId: string; output: string }> {
  const run = `run-${++runs}`;
  const output = join(dir, run, 'out');
  const result = await runCli([
    'run', FLAKY_JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', '--parallelism', '2',
    ...settings.flatMap((s) => ['--set', s]),
    '--', '--n', String(n), '--keys', '7', '--fail-at', String(failAt), '--failures', String(failures),
    '--markers', join(dir, run, 'markers'), '--pause-every', String(pauseEvery), '--pause-ms', '2', '--output', output,
    ...(failWhen ? ['--fail-when', failWhen] : []),
  ]);
  assert.equal(result.code, 0, result.stderr);
  return { jobId: (JSON.parse(result.stdout) as { jobId: string }).jobId, output };
}

const details = (jobId: string): Promise<Details> => runCliJson<Details>(['status', jobId, '--jobmanager', jm.rpcAddress]);

async function ended(jobId: string, timeoutMs = 60_000): Promise<Details> {
  return waitFor(async () => {
    const d = await details(jobId);
    return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
  }, { timeoutMs, what: `job ${jobId} to end` });
}

/** A job's sample of `rivulet_jobmanager_job_<name>` on the JobManager's /metrics (undefined: no such series). */
async function jobMetric(jobId: string, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const families = parsePrometheusText(await (await fetch(`${jm.restUrl}/metrics`)).text());
  const family = families.find((f) => f.name === `rivulet_jobmanager_job_${name}`);
  const sample = family?.metrics.find((m) => m.labels?.['job_id'] === jobId && Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

/** Gaps between consecutive failures (ms). */
const gaps = (d: Details): number[] => d.exceptions.slice(1).map((e, i) => e.timestamp - d.exceptions[i]!.timestamp);

const CHECKPOINTS = ['execution.checkpointing.interval=300ms'];

describe('restart strategies (real cluster, a user function that throws)', { timeout: 300_000 }, () => {
  test('none: the first failure fails the job at once, with the user\'s error as root cause', async () => {
    const { jobId } = await submitFlaky([...CHECKPOINTS, 'restart-strategy.type=none'], 1);
    const d = await ended(jobId);
    assert.equal(d.state, 'FAILED');
    assert.equal(d.restarts.numRestarts, 0);
    assert.equal(d.exceptions.length, 1);
    assert.match(d['root-exception'] ?? '', /planned failure 1 of 1 at record 5000/);
    assert.equal(d.exceptions[0]!.cause, 'task');
    assert.ok(d.exceptions[0]!.task, 'the failed task is named');
    const text = await runCli(['status', jobId, '--jobmanager', jm.rpcAddress]);
    assert.match(text.stdout, /Restarts: 0 \(restart strategy none/);
  });

  test('fixed-delay with 2 attempts: restarts twice, gives up at the third failure, FAILED with the last cause', async () => {
    const { jobId } = await submitFlaky([...CHECKPOINTS, 'restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.attempts=2', 'restart-strategy.fixed-delay.delay=200ms'], 1000);
    const d = await ended(jobId);
    assert.equal(d.state, 'FAILED');
    assert.equal(d.restarts.numRestarts, 2);
    assert.equal(d.exceptions.length, 3);
    assert.match(d['root-exception'] ?? '', /planned failure 3 of 1000/);
    const rest = await fetch(`${jm.restUrl}/jobs/${jobId}/exceptions`);
    assert.equal(rest.status, 200);
    const history = (await rest.json()) as { 'root-exception': string; exceptionHistory: { entries: { stacktrace: string; exceptionName: string; taskName: string | null }[]; truncated: boolean } };
    assert.match(history['root-exception'], /planned failure 3 of 1000/);
    assert.equal(history.exceptionHistory.entries.length, 3);
    assert.match(history.exceptionHistory.entries[2]!.stacktrace, /planned failure 1 of 1000/, 'newest first');
    assert.equal(history.exceptionHistory.entries[0]!.exceptionName, 'Error');
    assert.equal(history.exceptionHistory.truncated, false);
    assert.equal((await fetch(`${jm.restUrl}/jobs/no-such-job/exceptions`)).status, 404);
  });

  test('a function that throws once: restarted from the latest checkpoint (local copies), the output is exactly once', async () => {
    const n = 40_000;
    // It fails once the test has seen a completed checkpoint (~8 s of input), so the restart restores one.
    const failWhen = join(dir, `fail-now-${runs + 1}`);
    const { jobId, output } = await submitFlaky(CHECKPOINTS, 1, n, -1, 10, failWhen);
    await waitFor(async () => {
      const status = (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as { state: string; checkpoints: { counts: { completed: number }; history: { id: number; status: string; failure_message?: string }[] } };
      if (status.state !== 'RUNNING') throw new Error(`job ${jobId} is ${status.state}; checkpoints: ${JSON.stringify(status.checkpoints.history.map((h) => [h.id, h.status, h.failure_message]))}`);
      return status.checkpoints.counts.completed >= 1 ? true : undefined;
    }, { timeoutMs: 30_000, what: 'a completed checkpoint', intervalMs: 20 });
    writeFileSync(failWhen, '');
    const d = await ended(jobId, 90_000);
    assert.equal(d.state, 'FINISHED', d['root-exception'] ?? '');
    assert.equal(d.restarts.numRestarts, 1);
    assert.match(d.restarts['restart-strategy'], /^exponential-delay/, 'checkpointing on, no type set: exponential-delay');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 7));
    // The subtasks restarted in their slots: they read their state from the TaskManagers' local copies.
    const restored = taskManagers.flatMap((tm) => tm.daemon.logs).filter((l) => l.msg === 'state restored' && l['jobId'] === jobId);
    assert.ok(restored.length > 0, `restored subtasks logged what they read (checkpoints: ${JSON.stringify((d as unknown as { checkpoints: { counts: unknown } }).checkpoints.counts)})`);
    assert.ok(restored.some((l) => Number(l['localHandles']) > 0), `local copies were read: ${JSON.stringify(restored.slice(0, 2))}`);
    assert.equal(restored.reduce((sum, l) => sum + Number(l['remoteBytes']), 0), 0, 'nothing came from checkpoint storage');
    assert.equal(await jobMetric(jobId, 'numRestarts'), undefined, 'an ended job\'s series are gone');
  });

  test('failure-rate: the observed delays are the configured delay; the 4th failure within the interval fails the job', async () => {
    const { jobId } = await submitFlaky([
      ...CHECKPOINTS, 'restart-strategy.type=failure-rate', 'restart-strategy.failure-rate.max-failures-per-interval=3',
      'restart-strategy.failure-rate.failure-rate-interval=60s', 'restart-strategy.failure-rate.delay=700ms',
    ], 1000, 20_000, 200);
    const d = await ended(jobId);
    assert.equal(d.state, 'FAILED');
    assert.equal(d.restarts.numRestarts, 3);
    const observed = gaps(d);
    assert.equal(observed.length, 3);
    // Failure -> restart after the delay -> the replayed record 200 fails again shortly after deployment.
    for (const gap of observed) assert.ok(gap >= 700 && gap < 700 + 3000, `gap ${gap} ms, expected 700 ms + deployment (${observed.join(', ')})`);
  });

  test('exponential-delay: the observed delays grow 300, 600, 1200, 2400, 2400 ms (jitter 0, max 2400), then the job finishes', async () => {
    const { jobId, output } = await submitFlaky([
      ...CHECKPOINTS, 'restart-strategy.type=exponential-delay', 'restart-strategy.exponential-delay.initial-backoff=300ms',
      'restart-strategy.exponential-delay.backoff-multiplier=2', 'restart-strategy.exponential-delay.max-backoff=2400ms',
      'restart-strategy.exponential-delay.jitter-factor=0',
    ], 5, 20_000, 200);
    // Flink's job metrics while it restarts (the third delay is 1.2 s, the fourth 2.4 s: time to look).
    const live = await waitFor(async () => {
      const restarts = await jobMetric(jobId, 'numRestarts');
      return restarts !== undefined && restarts >= 3 ? restarts : undefined;
    }, { timeoutMs: 30_000, what: 'numRestarts >= 3 on /metrics' });
    assert.ok(live >= 3);
    assert.ok((await jobMetric(jobId, 'numFailures', { cause: 'task' }))! >= 3, 'failures counted by cause');
    assert.ok((await jobMetric(jobId, 'restartingTime'))! > 0, 'restartingTime');
    assert.notEqual(await jobMetric(jobId, 'uptime'), undefined);
    assert.notEqual(await jobMetric(jobId, 'downtime'), undefined);
    const d = await ended(jobId, 90_000);
    assert.equal(d.state, 'FINISHED', d['root-exception'] ?? '');
    assert.equal(d.restarts.numRestarts, 5);
    const observed = gaps(d);
    const expected = [300, 600, 1200, 2400];
    assert.equal(observed.length, expected.length);
    observed.forEach((gap, i) => {
      assert.ok(gap >= expected[i]! && gap < expected[i]! + 3000, `gap ${i + 1}: ${gap} ms, expected ${expected[i]} ms + deployment (${observed.join(', ')})`);
    });
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, 20_000, 7));
  });

  test('region failover: a failure in one of two independent pipelines restarts only its failed subtask', async () => {
    const run = `run-${++runs}`;
    const n = 40_000;
    const result = await runCli([
      'run', TWO_PIPELINES_JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', '--parallelism', '2',
      '--set', 'restart-strategy.type=fixed-delay', '--set', 'restart-strategy.fixed-delay.delay=100ms',
      '--', '--n', String(n), '--fail-at', '33000', '--markers', join(dir, run),
    ]);
    assert.equal(result.code, 0, result.stderr);
    const jobId = (JSON.parse(result.stdout) as { jobId: string }).jobId;
    // REST, not the CLI: polled every few ms, to see every subtask RUNNING before the failure (about 1.5 s in).
    const running = await waitFor(async () => {
      const d = (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as Details;
      return d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING')) ? d : undefined;
    }, { timeoutMs: 30_000, what: 'all subtasks running', intervalMs: 20 });
    const attemptsBefore = new Map(running.vertices.flatMap((v) => v.subtasks.map((s) => [`${v.id}/${s.subtask}`, s.attempt] as const)));
    const d = await ended(jobId);
    assert.equal(d.state, 'FINISHED', d['root-exception'] ?? '');
    assert.equal(d.restarts.numRestarts, 1);
    assert.equal(d.restarts['failover-strategy'], 'region');
    const changed = d.vertices.flatMap((v) => v.subtasks.filter((s) => attemptsBefore.get(`${v.id}/${s.subtask}`) !== s.attempt).map((s) => `${v.id}/${s.subtask}`));
    assert.equal(changed.length, 1, `only the failed subtask has a new attempt: ${changed.join(', ')}`);
    assert.match(changed[0]!, /^b-/, 'it belongs to pipeline b');
    // Pipeline b's restarted subtask replayed its split from the start (no checkpointing): results are complete.
    const sum = (records: unknown[]): number => (records as number[]).reduce((a, b) => a + b, 0);
    assert.equal(sum(d.results['a'] ?? []), (n * (n - 1)) / 2);
    assert.equal(sum(d.results['b'] ?? []), (n * (n - 1)) / 2);
  });
});
