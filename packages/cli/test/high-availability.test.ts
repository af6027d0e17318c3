import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  runCli,
  runCliJson,
  settingsEnvironment,
  startEtcd,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedEtcd,
  type StartedJobManager,
} from '@rivulet/testing';

interface Cluster {
  leader: { rpcAddress: string; sessionId: string | null; epoch: number | null };
  standbys: string[];
  taskmanagers: { id: string }[];
}

const TTL_MS = 2000;
const COUNT_JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'flaky-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-ha-'));
let etcd: StartedEtcd | undefined;
let settings: string[] = [];

before(async () => {
  // No skipping: scripts/setup.sh installs Debian's etcd-server; without it startEtcd fails, naming the package.
  etcd = await startEtcd();
  settings = [
    'high-availability.type=etcd',
    `high-availability.etcd.endpoints=${etcd.endpoint}`,
    `high-availability.cluster-id=test-${randomUUID().slice(0, 8)}`,
    `high-availability.etcd.lease-ttl=${TTL_MS}ms`,
  ];
});
after(async () => {
  await stopAllProcesses();
  await etcd?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface JobDetails {
  state: string;
  'root-exception': string | null;
  restarts: { numRestarts: number };
  vertices: { subtasks: { subtask: number; state: string; attempt: string }[] }[];
  checkpoints: { counts: { completed: number }; latest: { completed: { id: number } | null } };
}

const attemptsOf = (d: JobDetails): string[] => d.vertices.flatMap((v) => v.subtasks.map((s) => s.attempt)).sort();

/**
 * The count job's arguments: throttled (2 ms every 20 records) so the
 * failures land mid-run, until `unthrottle(name)` — once the test has
 * checked what follows the failure, the rest runs at full speed to the
 * exactly-once check.
 */
const countArgs = (name: string, n: number, output: string): string[] => [
  '--', '--n', String(n), '--keys', '11', '--fail-at', '-1', '--failures', '0', '--markers', join(dir, name, 'markers'),
  '--pause-every', '20', '--pause-ms', '2', '--throttle-until', join(dir, name, 'unthrottled'), '--output', output,
];

function unthrottle(name: string): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'unthrottled'), '');
}

/** `rivulet cluster` without --jobmanager: the CLI finds the leader through etcd. */
const cluster = (): Promise<Cluster> => runCliJson<Cluster>(['cluster', ...settings.flatMap((s) => ['-D', s])]);

describe('JobManager high availability through etcd (a real etcd server)', { timeout: 240_000 }, () => {
  test('two JobManagers: one leads, one stands by; kill -9 of the leader: the standby leads within TTL + 1 s, TaskManagers and the CLI follow', async (t) => {
    const jms: StartedJobManager[] = [await startJobManager({ set: settings }), await startJobManager({ set: settings })];
    // TaskManagers find the leader in etcd; the --jobmanager they are given is not used.
    await startTaskManager('127.0.0.1:1', { slots: 1, name: 'tm-ha-1', set: settings });
    await startTaskManager('127.0.0.1:1', { slots: 1, name: 'tm-ha-2', set: settings });
    const first = await waitFor(async () => {
      const c = await cluster().catch(() => undefined);
      return c && c.taskmanagers.length === 2 && c.standbys.length === 1 ? c : undefined;
    }, { timeoutMs: 30_000, what: 'a leader with a standby and both TaskManagers' });
    const leader = jms.find((jm) => jm.rpcAddress === first.leader.rpcAddress);
    const standby = jms.find((jm) => jm !== leader)!;
    assert.ok(leader, `the leader ${first.leader.rpcAddress} is one of ours`);
    assert.deepEqual(first.standbys, [standby.rpcAddress]);
    assert.ok(first.leader.sessionId && first.leader.epoch, 'the leader session id and epoch are shown');
    assert.equal((await fetch(`${leader.restUrl}/readyz`)).status, 200);
    assert.equal((await fetch(`${standby.restUrl}/readyz`)).status, 503, 'a standby is live but not ready');
    const text = await runCli(['cluster', ...settings.flatMap((s) => ['-D', s])]);
    assert.match(text.stdout, new RegExp(`Standbys\\s+${standby.rpcAddress.replace(/\./g, '\\.')}`));

    const killedAt = Date.now();
    leader.daemon.signal('SIGKILL');
    await leader.daemon.exited;
    const next = await waitFor(async () => {
      const c = await cluster().catch(() => undefined);
      return c && c.leader.rpcAddress === standby.rpcAddress ? { c, at: Date.now() } : undefined;
    }, { timeoutMs: 15_000, what: 'the standby to lead', intervalMs: 50 });
    const takeover = next.at - killedAt;
    t.diagnostic(`kill -9 of the leader -> the standby serves as leader after ${takeover} ms (lease TTL ${TTL_MS} ms)`);
    assert.ok(takeover <= TTL_MS + 1000 + 1500, `took over in ${takeover} ms (TTL ${TTL_MS} ms + 1 s, + the CLI's own start-up)`);
    assert.ok(next.c.leader.epoch! > first.leader.epoch!, 'the new session\'s epoch is newer');
    assert.notEqual(next.c.leader.sessionId, first.leader.sessionId);
    await waitFor(async () => ((await cluster()).taskmanagers.length === 2 ? true : undefined), { timeoutMs: 15_000, what: 'both TaskManagers registered with the new leader' });
    assert.equal((await fetch(`${standby.restUrl}/readyz`)).status, 200, 'the new leader is ready');
  });

  test('kill -9 of the leader while a job runs: the new leader adopts the running tasks (0 restarts), checkpoints go on with higher ids, output exactly once', async (t) => {
    const ha = [...settings.slice(0, 2), `high-availability.cluster-id=adopt-${randomUUID().slice(0, 8)}`, settings[3]!, `execution.checkpointing.dir=${join(dir, 'checkpoints')}`];
    const jms = [await startJobManager({ set: ha }), await startJobManager({ set: ha })];
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-adopt-1', set: ha });
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-adopt-2', set: ha });
    const cli = (args: string[]) => runCliJson<JobDetails>([...args, ...ha.flatMap((s) => ['-D', s])]);
    const leaderOf = async () => (await runCliJson<Cluster>(['cluster', ...ha.flatMap((s) => ['-D', s])])).leader.rpcAddress;
    await waitFor(async () => ((await runCliJson<Cluster>(['cluster', ...ha.flatMap((s) => ['-D', s])]).catch(() => undefined))?.taskmanagers.length === 2 ? true : undefined), { timeoutMs: 30_000, what: 'both TaskManagers registered' });
    const n = 300_000;
    const output = join(dir, 'adopt', 'out');
    // `rivulet run` takes cluster settings from a file or the environment (its --set is for job settings).
    const env = settingsEnvironment(ha);
    const submitted = await runCli([
      'run', COUNT_JOB, '--detached', '--output', 'json', '--parallelism', '2',
      '--set', 'execution.checkpointing.interval=500ms', ...countArgs('adopt', n, output),
    ], { env, timeoutMs: 60_000 });
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    const before = await waitFor(async () => {
      const d = await cli(['status', jobId]);
      return d.state === 'RUNNING' && d.checkpoints.counts.completed >= 2 && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING')) ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job running with checkpoints' });
    const leaderAddress = await leaderOf();
    const leader = jms.find((jm) => jm.rpcAddress === leaderAddress)!;
    leader.daemon.signal('SIGKILL');
    const adopted = await waitFor(async () => {
      const d = await cli(['status', jobId]).catch(() => undefined);
      return d && d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING')) ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the job running under the new leader' });
    assert.equal(adopted.restarts.numRestarts, 0, 'no task was restarted');
    assert.deepEqual(attemptsOf(adopted), attemptsOf(before), 'the same attempts run on');
    const further = await waitFor(async () => {
      const d = await cli(['status', jobId]);
      return (d.checkpoints.latest.completed?.id ?? 0) > (before.checkpoints.latest.completed?.id ?? 0) + 1 ? d : undefined;
    }, { timeoutMs: 30_000, what: 'checkpoints completed by the new leader' });
    assert.ok(further.checkpoints.latest.completed!.id > before.checkpoints.latest.completed!.id);
    unthrottle('adopt');
    // Polled through the new leader's REST API (a CLI process per poll would slow the job on a small machine); the CLI reports the end.
    const newLeader = jms.find((jm) => jm !== leader)!;
    await waitFor(async () => {
      const d = (await (await fetch(`${newLeader.restUrl}/jobs/${jobId}`)).json()) as JobDetails;
      return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
    }, { timeoutMs: 120_000, what: 'the job to end' });
    const end = await cli(['status', jobId]);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
  });

  test('etcd down 2 s (TTL 5 s): nothing changes; etcd down 10 s: the leader steps down, a leader returns and the job goes on, exactly once', async (t) => {
    const ha = [settings[0]!, settings[1]!, `high-availability.cluster-id=outage-${randomUUID().slice(0, 8)}`, 'high-availability.etcd.lease-ttl=5s', `execution.checkpointing.dir=${join(dir, 'outage-checkpoints')}`];
    const env = settingsEnvironment(ha);
    const jm = await startJobManager({ set: ha });
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-outage-1', set: ha });
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-outage-2', set: ha });
    const rest = async <T>(path: string): Promise<T> => (await (await fetch(`${jm.restUrl}${path}`)).json()) as T;
    await waitFor(async () => ((await rest<{ taskmanagers: number }>('/overview')).taskmanagers === 2 ? true : undefined), { timeoutMs: 30_000, what: 'both TaskManagers registered' });
    const n = 400_000;
    const output = join(dir, 'outage', 'out');
    const submitted = await runCli([
      'run', COUNT_JOB, '--detached', '--output', 'json', '--parallelism', '2', '--set', 'execution.checkpointing.interval=500ms',
      ...countArgs('outage', n, output),
    ], { env, timeoutMs: 60_000 });
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    const job = (): Promise<JobDetails> => rest<JobDetails>(`/jobs/${jobId}`);
    const running = await waitFor(async () => {
      const d = await job();
      return d.state === 'RUNNING' && d.checkpoints.counts.completed >= 2 ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job running with checkpoints' });
    const session = async (): Promise<string | null> => (await rest<{ status: string; leader: boolean }>('/readyz')).leader ? 'leader' : null;

    // The premise: etcd unavailable for 2 s — from the kill until it answers healthy again, its own restart
    // included (~0.6 s here, more on a loaded machine), so it is restarted 2 s minus its last restart time after the
    // kill. A leader with a 5 s TTL rides out ~2.5 s (docs/high-availability.md). An outage that still came out over
    // 2.3 s is not the case this test is about (a step-down would be right): it is reported and tried again, at most 3 times.
    const OUTAGE_PREMISE_MS = 2300;
    let restartMs = 700;
    let attempt = 0;
    let before = running;
    for (;;) {
      attempt += 1;
      const logMark = jm.daemon.logs.length;
      const down = performance.now();
      await etcd!.kill();
      await new Promise((r) => setTimeout(r, Math.max(1000, 2000 - restartMs - (performance.now() - down))));
      const restarting = performance.now();
      await etcd!.start();
      restartMs = performance.now() - restarting;
      const unavailableMs = Math.round(performance.now() - down);
      await new Promise((r) => setTimeout(r, 1000));
      const since = (): typeof jm.daemon.logs => jm.daemon.logs.slice(logMark);
      if (unavailableMs > OUTAGE_PREMISE_MS && attempt < 3) {
        t.diagnostic(`attempt ${attempt}: etcd was unavailable ${unavailableMs} ms (its restart took ${Math.round(restartMs)} ms), over ${OUTAGE_PREMISE_MS} ms; again`);
        before = await waitFor(async () => {
          const d = await job().catch(() => undefined);
          return (await session()) === 'leader' && d?.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING')) ? d : undefined;
        }, { timeoutMs: 30_000, what: 'a leader again, with the job running' });
        continue;
      }
      assert.ok(unavailableMs <= OUTAGE_PREMISE_MS, `etcd could not be restarted within ${OUTAGE_PREMISE_MS} ms in 3 attempts (last: ${unavailableMs} ms)`);
      t.diagnostic(`etcd unavailable ${unavailableMs} ms (attempt ${attempt})`);
      assert.equal(await session(), 'leader', `a 2 s outage (TTL 5 s; etcd unavailable ${unavailableMs} ms) changes nothing`);
      const after2s = await job();
      assert.equal(after2s.state, 'RUNNING');
      assert.deepEqual(attemptsOf(after2s), attemptsOf(before), 'no task restarted');
      assert.ok(!since().some((l) => l.msg === 'leadership revoked; no longer acting as leader'), `no step-down (etcd unavailable ${unavailableMs} ms)`);
      await new Promise((r) => setTimeout(r, 2000));
      // A checkpoint whose pointer could not be written during the blip fails without counting (CHECKPOINT_RECORD_FAILURE): no failover.
      assert.ok(!since().some((l) => l.msg === 'failing over' || l.msg === 'restarting subtasks'), 'no failover after the 2 s outage');
      assert.deepEqual(attemptsOf(await job()), attemptsOf(before), 'still the same attempts');
      break;
    }

    await etcd!.kill();
    await jm.daemon.waitForLog((l) => l.msg === 'leadership revoked; no longer acting as leader', 10_000, 'the leader to step down while etcd is away');
    assert.equal((await fetch(`${jm.restUrl}/readyz`)).status, 503, 'not ready while it does not lead');
    await new Promise((r) => setTimeout(r, 10_000 - 5_000));
    await etcd!.start();
    const back = await waitFor(async () => {
      const d = await job().catch(() => undefined);
      return (await fetch(`${jm.restUrl}/readyz`)).status === 200 && d?.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING')) ? d : undefined;
    }, { timeoutMs: 30_000, what: 'a leader again, with the job running' });
    t.diagnostic(`after the 10 s outage: restarts ${back.restarts.numRestarts}, attempts ${attemptsOf(back).join(',') === attemptsOf(running).join(',') ? 'unchanged (adopted)' : 'new (restarted from the checkpoint)'}`);
    const recoveryLog = jm.daemon.logs.filter((l) => /recover|adopt|failover|restarting|suspended/i.test(String(l.msg))).map((l) => String(l.msg));
    t.diagnostic(`the JobManager's recovery: ${[...new Set(recoveryLog)].join(' | ')}`);
    unthrottle('outage');
    const end = await waitFor(async () => {
      const d = await job();
      return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
    }, { timeoutMs: 120_000, what: 'the job to end' });
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
  });
});
