import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  chaosSeed,
  runCli,
  seededRandom,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

const FIXTURES = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures');
const COUNT_JOB = join(FIXTURES, 'flaky-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-tm-failures-'));

after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

interface Details {
  state: string;
  'root-exception': string | null;
  exceptions: { message: string; cause: string }[];
  restarts: { numRestarts: number };
  vertices: { parallelism: number; subtasks: { subtask: number; state: string; taskmanager: string | null; attempt: string }[] }[];
  checkpoints: { counts: { completed: number } };
}

const details = async (jm: StartedJobManager, jobId: string): Promise<Details> =>
  (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as Details;
const allRunning = (d: Details): boolean => d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING'));

/** Waits until the job is FINISHED, FAILED or CANCELED; its details then. */
async function jobEnd(jm: StartedJobManager, jobId: string, timeoutMs: number, what: string): Promise<Details> {
  return waitFor(async () => {
    const d = await details(jm, jobId);
    return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
  }, { timeoutMs, what });
}

/**
 * Submits the count job to `output`, slowed (2 ms every 20 records) so that
 * failures land mid-run until the test calls `unthrottle(output)`: once it
 * has seen the failure and the recovery it checks, the rest of the input
 * runs at full speed and only the exactly-once output remains to check.
 */
async function submit(jm: StartedJobManager, output: string, n: number, settings: readonly string[], parallelism: number): Promise<string> {
  const result = await runCli([
    'run', COUNT_JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', '--parallelism', String(parallelism),
    ...settings.flatMap((s) => ['--set', s]),
    '--', '--n', String(n), '--keys', '11', '--fail-at', '-1', '--failures', '0', '--markers', join(output, '..', 'markers'),
    '--pause-every', '20', '--pause-ms', '2', '--throttle-until', unthrottleFile(output), '--output', output,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

const unthrottleFile = (output: string): string => join(output, '..', 'unthrottled');
function unthrottle(output: string): void {
  mkdirSync(join(output, '..'), { recursive: true });
  writeFileSync(unthrottleFile(output), '');
}

describe('TaskManager failures (real processes, kill -9 and SIGSTOP)', { timeout: 400_000 }, () => {
  test('chaos: kill -9 a random TaskManager three times during the run: the output is exactly once', async (t) => {
    const seed = chaosSeed();
    t.diagnostic(`chaos seed ${seed} (repeat with RIVULET_CHAOS_SEED=${seed})`);
    const random = seededRandom(seed);
    const settings = [`execution.checkpointing.dir=${join(dir, 'chaos-checkpoints')}`];
    const jm = await startJobManager({ set: settings });
    const tms = new Map<string, StartedTaskManager>();
    let spare = 0;
    const startTm = async (resourceId: string): Promise<void> => {
      tms.set(resourceId, await startTaskManager(jm.rpcAddress, { slots: 2, name: resourceId, set: [...settings, `taskmanager.resource-id=${resourceId}`] }));
    };
    for (const id of ['tm-a', 'tm-b', 'tm-c']) await startTm(id);
    const n = 400_000;
    const output = join(dir, 'chaos', 'out');
    const jobId = await submit(jm, output, n, ['execution.checkpointing.interval=500ms'], 4);
    const recoveries: number[] = [];
    for (let kill = 1; kill <= 3; kill++) {
      const before = await waitFor(async () => {
        const d = await details(jm, jobId);
        if (d.state === 'FINISHED' || d.state === 'FAILED') throw new Error(`seed ${seed}: job ${d.state} before kill ${kill}: ${d['root-exception']}`);
        return allRunning(d) && d.checkpoints.counts.completed >= kill ? d : undefined;
      }, { timeoutMs: 60_000, what: `seed ${seed}: all subtasks running before kill ${kill}`, intervalMs: 20 });
      const hosts = [...new Set(before.vertices.flatMap((v) => v.subtasks.map((s) => s.taskmanager!)))].sort();
      const victim = hosts[Math.floor(random() * hosts.length)]!;
      const comeBack = random() < 0.5;
      const killedAt = Date.now();
      tms.get(victim)!.daemon.signal('SIGKILL');
      await tms.get(victim)!.daemon.exited;
      tms.delete(victim);
      if (comeBack) await startTm(victim);
      else await startTm(`tm-spare-${++spare}`);
      t.diagnostic(`kill ${kill}: ${victim} (kill -9), then ${comeBack ? 'restarted it' : 'started a spare'}`);
      await waitFor(async () => {
        const d = await details(jm, jobId);
        if (d.state === 'FAILED') throw new Error(`seed ${seed}: job failed after kill ${kill}: ${d['root-exception']}`);
        return d.restarts.numRestarts >= kill && (allRunning(d) || d.state === 'FINISHED') ? d : undefined;
      }, { timeoutMs: 60_000, what: `seed ${seed}: the job running again after kill ${kill}`, intervalMs: 20 });
      recoveries.push(Date.now() - killedAt);
    }
    t.diagnostic(`kill -> all subtasks running again: ${recoveries.join(', ')} ms`);
    unthrottle(output);
    const end = await jobEnd(jm, jobId, 180_000, `seed ${seed}: the job to end`);
    assert.equal(end.state, 'FINISHED', `seed ${seed}: ${end['root-exception']}`);
    assert.ok(end.exceptions.some((e) => e.cause === 'taskmanager-lost'), `seed ${seed}: a lost TaskManager is in the exception history`);
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11), `seed ${seed}`);
    await stopAllProcesses();
  });

  test('default mode: a lost TaskManager and no spare: the restart waits for slots; the TaskManager comes back: the job goes on, exactly once', async () => {
    const settings = [`execution.checkpointing.dir=${join(dir, 'waiting-checkpoints')}`];
    const jm = await startJobManager({ set: settings });
    const lost = await startTaskManager(jm.rpcAddress, { slots: 1, name: 'tm-lost', set: [...settings, 'taskmanager.resource-id=tm-lost'] });
    await startTaskManager(jm.rpcAddress, { slots: 1, name: 'tm-stays', set: [...settings, 'taskmanager.resource-id=tm-stays'] });
    const n = 200_000;
    const output = join(dir, 'waiting', 'out');
    const jobId = await submit(jm, output, n, ['execution.checkpointing.interval=500ms', 'restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.delay=100ms', 'slot.request.timeout=30s'], 2);
    await waitFor(async () => {
      const d = await details(jm, jobId);
      return allRunning(d) && d.checkpoints.counts.completed >= 2 ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job running with checkpoints' });
    lost.daemon.signal('SIGKILL');
    const waiting = await waitFor(async () => {
      const d = await details(jm, jobId);
      return d.state === 'RESTARTING' ? d : undefined;
    }, { timeoutMs: 10_000, what: 'the job RESTARTING, waiting for a slot', intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await details(jm, jobId)).state, 'RESTARTING', `still waiting for a slot: ${waiting['root-exception']}`);
    await startTaskManager(jm.rpcAddress, { slots: 1, name: 'tm-lost-again', set: [...settings, 'taskmanager.resource-id=tm-lost'] });
    const back = await waitFor(async () => {
      const d = await details(jm, jobId);
      return allRunning(d) || d.state === 'FINISHED' ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the job running again', intervalMs: 20 });
    assert.ok(back.vertices.some((v) => v.subtasks.some((s) => s.taskmanager === 'tm-lost')) || back.state === 'FINISHED', 'a subtask runs on the TaskManager that came back');
    unthrottle(output);
    const end = await jobEnd(jm, jobId, 120_000, 'the job to end');
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.equal(end.restarts.numRestarts, 1);
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
    await stopAllProcesses();
  });

  test('reactive mode: a lost TaskManager and no spare: the job goes on at parallelism 1; a new TaskManager: back to 2; exactly once', async () => {
    const settings = [`execution.checkpointing.dir=${join(dir, 'reactive-checkpoints')}`, 'scheduler-mode=reactive'];
    const jm = await startJobManager({ set: settings });
    const first = await startTaskManager(jm.rpcAddress, { slots: 1, name: 'tm-1', set: settings });
    await startTaskManager(jm.rpcAddress, { slots: 1, name: 'tm-2', set: settings });
    const n = 300_000;
    const output = join(dir, 'reactive', 'out');
    const jobId = await submit(jm, output, n, ['execution.checkpointing.interval=500ms', 'restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.attempts=10', 'restart-strategy.fixed-delay.delay=100ms'], 2);
    await waitFor(async () => {
      const d = await details(jm, jobId);
      return allRunning(d) && d.checkpoints.counts.completed >= 2 ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job running at parallelism 2 with checkpoints' });
    first.daemon.signal('SIGKILL');
    const down = await waitFor(async () => {
      const d = await details(jm, jobId);
      if (d.state === 'FAILED') throw new Error(`job failed: ${d['root-exception']}`);
      return allRunning(d) && d.vertices.every((v) => v.parallelism === 1) ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the job running at parallelism 1', intervalMs: 20 });
    assert.ok(down.restarts.numRestarts >= 1);
    await startTaskManager(jm.rpcAddress, { slots: 1, name: 'tm-3', set: settings });
    await waitFor(async () => {
      const d = await details(jm, jobId);
      if (d.state === 'FAILED') throw new Error(`job failed: ${d['root-exception']}`);
      return (allRunning(d) && d.vertices.every((v) => v.parallelism === 2)) || d.state === 'FINISHED' ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the job scaled back up to parallelism 2', intervalMs: 20 });
    unthrottle(output);
    const end = await jobEnd(jm, jobId, 120_000, 'the job to end');
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.equal(end.vertices[0]!.parallelism, 2, 'it ended at its configured parallelism');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
    await stopAllProcesses();
  });

  test('a TaskManager frozen (SIGSTOP) past the heartbeat timeout: its tasks restart elsewhere; resumed, its stale tasks are cancelled and write nothing visible', async () => {
    const settings = [`execution.checkpointing.dir=${join(dir, 'frozen-checkpoints')}`, 'heartbeat.interval=300ms', 'heartbeat.timeout=2s'];
    const jm = await startJobManager({ set: settings });
    const frozen = await startTaskManager(jm.rpcAddress, { slots: 2, name: 'tm-frozen', set: [...settings, 'taskmanager.resource-id=tm-frozen'] });
    const n = 300_000;
    const output = join(dir, 'frozen', 'out');
    const jobId = await submit(jm, output, n, ['execution.checkpointing.interval=500ms', 'restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.attempts=5'], 2);
    await waitFor(async () => {
      const d = await details(jm, jobId);
      return allRunning(d) && d.checkpoints.counts.completed >= 2 ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job running on tm-frozen with checkpoints' });
    const other = await startTaskManager(jm.rpcAddress, { slots: 2, name: 'tm-other', set: [...settings, 'taskmanager.resource-id=tm-other'] });
    await frozen.daemon.freeze();
    const moved = await waitFor(async () => {
      const d = await details(jm, jobId);
      return allRunning(d) && d.vertices.every((v) => v.subtasks.every((s) => s.taskmanager === 'tm-other')) ? d : undefined;
    }, { timeoutMs: 30_000, what: 'every subtask restarted on tm-other' });
    assert.ok(moved.exceptions.some((e) => /tm-frozen was lost \(heartbeat-timeout/.test(e.message)), moved.exceptions.map((e) => e.message).join(' | '));
    frozen.daemon.signal('SIGCONT');
    await frozen.daemon.waitForLog((l) => l.msg === 'stale tasks cancelled', 30_000, 'the resumed TaskManager to cancel its stale tasks');
    unthrottle(output);
    const end = await jobEnd(jm, jobId, 120_000, 'the job to end');
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
    void other;
    await stopAllProcesses();
  });
});
