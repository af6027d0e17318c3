import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { callUnary, rivuletProto } from '@rivulet/common';
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
  type StartedTaskManager,
} from '@rivulet/testing';

/**
 * SIGTERM is a graceful stop: a TaskManager tells the JobManager it leaves
 * before it cancels its tasks, so they fail over at once (not after
 * heartbeat.timeout); the leading JobManager resigns its lease, so a standby
 * leads at once (not after the lease TTL) and adopts the running tasks.
 */
const COUNT_JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'flaky-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-graceful-'));
let etcd: StartedEtcd | undefined;

after(async () => {
  await stopAllProcesses();
  await etcd?.close();
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

interface Cluster {
  leader: { rpcAddress: string; sessionId: string | null; epoch: number | null };
  standbys: string[];
  taskmanagers: { id: string }[];
}

const allRunning = (d: Details): boolean => d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING'));
const attemptsOf = (d: Details): string[] => d.vertices.flatMap((v) => v.subtasks.map((s) => s.attempt)).sort();
const hostsOf = (d: Details): string[] => [...new Set(d.vertices.flatMap((v) => v.subtasks.map((s) => s.taskmanager ?? '')))].sort();
const ended = (d: Details): boolean => ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state);

/**
 * The job's arguments: a keyed running count over `n` numbers, throttled so
 * it runs for a while — until `unthrottle(output)`: once the test has seen
 * the stop and what follows it, the rest runs at full speed to the
 * exactly-once check.
 */
const jobArgs = (n: number, output: string): string[] => [
  '--', '--n', String(n), '--keys', '11', '--fail-at', '-1', '--failures', '0', '--markers', join(output, '..', 'markers'),
  '--pause-every', '20', '--pause-ms', '2', '--throttle-until', join(output, '..', 'unthrottled'), '--output', output,
];

function unthrottle(output: string): void {
  mkdirSync(join(output, '..'), { recursive: true });
  writeFileSync(join(output, '..', 'unthrottled'), '');
}

const envOf = settingsEnvironment;

describe('graceful stop on SIGTERM (real processes)', { timeout: 150_000 }, () => {
  test('SIGTERM of a busy TaskManager: its subtasks run again on the spare well before heartbeat.timeout, the history names the graceful stop, output exactly once', async (t) => {
    const heartbeatTimeoutMs = 30_000;
    const settings = [
      `execution.checkpointing.dir=${join(dir, 'tm-checkpoints')}`,
      'heartbeat.interval=1s', `heartbeat.timeout=${heartbeatTimeoutMs}ms`,
    ];
    const jm = await startJobManager({ set: settings });
    const tms = new Map<string, StartedTaskManager>();
    for (const id of ['tm-a', 'tm-b', 'tm-c']) {
      tms.set(id, await startTaskManager(jm.rpcAddress, { slots: 1, name: id, set: [...settings, `taskmanager.resource-id=${id}`] }));
    }
    const details = async (): Promise<Details> => (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as Details;
    const n = 150_000;
    const output = join(dir, 'tm', 'out');
    const submitted = await runCli([
      'run', COUNT_JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', '--parallelism', '2',
      '--set', 'execution.checkpointing.interval=500ms', '--set', 'restart-strategy.type=fixed-delay',
      '--set', 'restart-strategy.fixed-delay.attempts=3', '--set', 'restart-strategy.fixed-delay.delay=100ms',
      ...jobArgs(n, output),
    ], { timeoutMs: 60_000 });
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    const before = await waitFor(async () => {
      const d = await details();
      if (ended(d)) throw new Error(`job ${d.state} before the stop: ${d['root-exception']}`);
      return allRunning(d) && d.checkpoints.counts.completed >= 1 ? d : undefined;
    }, { timeoutMs: 40_000, what: 'the job running on two TaskManagers with a checkpoint' });
    const busy = hostsOf(before);
    assert.equal(busy.length, 2, `the job runs on two TaskManagers: ${busy.join(', ')}`);
    const victim = busy[0]!;
    const stoppedAt = Date.now();
    tms.get(victim)!.daemon.signal('SIGTERM');
    const moved = await waitFor(async () => {
      const d = await details();
      if (d.state === 'FAILED') throw new Error(`job failed after the stop: ${d['root-exception']}`);
      return d.restarts.numRestarts >= 1 && allRunning(d) && !hostsOf(d).includes(victim) ? d : undefined;
    }, { timeoutMs: 20_000, what: `every subtask running again without ${victim}`, intervalMs: 20 });
    const recoveryMs = Date.now() - stoppedAt;
    t.diagnostic(`SIGTERM of ${victim} -> every subtask RUNNING on the others after ${recoveryMs} ms (heartbeat.timeout ${heartbeatTimeoutMs} ms)`);
    assert.ok(recoveryMs < heartbeatTimeoutMs / 3, `recovered in ${recoveryMs} ms: only the graceful path explains less than heartbeat.timeout`);
    const stopped = tms.get(victim)!.daemon;
    const exit = await stopped.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, `${victim} exits 0 after a graceful stop`);
    const told = stopped.logs.findIndex((l) => l.msg === 'told the JobManager this TaskManager leaves');
    assert.ok(told >= 0, `${victim} told the JobManager it leaves`);
    assert.ok(!stopped.logs.some((l) => l.msg === 'lost the JobManager; registering again'), `${victim} did not try to register again on its way out`);
    assert.equal(moved.restarts.numRestarts, 1, 'one failover for one stopped TaskManager');
    const messages = moved.exceptions.map((e) => `${e.cause}: ${e.message}`);
    const graceful = moved.exceptions.find((e) => e.message.includes(`TaskManager ${victim} was lost (graceful-shutdown`));
    assert.ok(graceful, `the exception history names the graceful stop of ${victim}: ${messages.join(' | ')}`);
    assert.equal(graceful.cause, 'taskmanager-lost');
    assert.ok(!moved.exceptions.some((e) => e.message.includes('heartbeat-timeout')), `no heartbeat timeout: ${messages.join(' | ')}`);
    const overview = (await (await fetch(`${jm.restUrl}/overview`)).json()) as { taskmanagers: number; 'slots-total': number };
    assert.deepEqual([overview.taskmanagers, overview['slots-total']], [2, 2], 'the stopped TaskManager and its slot are gone');
    unthrottle(output);
    const end = await waitFor(async () => {
      const d = await details();
      return ended(d) ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job to end' });
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.equal(end.restarts.numRestarts, 1);
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
    await stopAllProcesses();
  });

  test('SIGTERM of the leading JobManager (etcd HA, lease TTL 10 s): the standby leads well within the TTL and adopts the running tasks (0 restarts), output exactly once', async (t) => {
    etcd = await startEtcd();
    const ttlMs = 10_000;
    const settings = [
      'high-availability.type=etcd',
      `high-availability.etcd.endpoints=${etcd.endpoint}`,
      `high-availability.cluster-id=graceful-${randomUUID().slice(0, 8)}`,
      `high-availability.etcd.lease-ttl=${ttlMs}ms`,
      `execution.checkpointing.dir=${join(dir, 'jm-checkpoints')}`,
    ];
    const viaEtcd = settings.flatMap((s) => ['-D', s]);
    const cluster = (): Promise<Cluster> => runCliJson<Cluster>(['cluster', ...viaEtcd]);
    const status = (jobId: string): Promise<Details> => runCliJson<Details>(['status', jobId, ...viaEtcd]);
    // Polled through REST (a CLI process per poll would slow the job on a small machine); the CLI checks the end.
    const details = async (jm: StartedJobManager, jobId: string): Promise<Details> => (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as Details;
    const jms: StartedJobManager[] = [await startJobManager({ set: settings }), await startJobManager({ set: settings })];
    // TaskManagers follow the leader published in etcd; the --jobmanager they are given is not used.
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-ha-1', set: settings });
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-ha-2', set: settings });
    const first = await waitFor(async () => {
      const c = await cluster().catch(() => undefined);
      return c && c.taskmanagers.length === 2 && c.standbys.length === 1 ? c : undefined;
    }, { timeoutMs: 30_000, what: 'a leader with a standby and both TaskManagers' });
    const leader = jms.find((jm) => jm.rpcAddress === first.leader.rpcAddress);
    assert.ok(leader, `the leader ${first.leader.rpcAddress} is one of ours`);
    const standby = jms.find((jm) => jm !== leader)!;
    const n = 150_000;
    const output = join(dir, 'jm', 'out');
    const submitted = await runCli([
      'run', COUNT_JOB, '--detached', '--output', 'json', '--parallelism', '2', '--set', 'execution.checkpointing.interval=500ms',
      ...jobArgs(n, output),
    ], { env: envOf(settings), timeoutMs: 60_000 });
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    const before = await waitFor(async () => {
      const d = await details(leader, jobId);
      if (ended(d)) throw new Error(`job ${d.state} before the stop: ${d['root-exception']}`);
      return allRunning(d) && d.checkpoints.counts.completed >= 1 ? d : undefined;
    }, { timeoutMs: 40_000, what: 'the job running with a checkpoint' });

    const stoppedAt = Date.now();
    leader.daemon.signal('SIGTERM');
    // The standby's /readyz turns 200 the moment it leads; `rivulet cluster` adds the CLI's own start-up.
    const ready = await waitFor(async () => ((await fetch(`${standby.restUrl}/readyz`)).status === 200 ? Date.now() : undefined), {
      timeoutMs: ttlMs, what: 'the standby to be ready (leading)', intervalMs: 10,
    });
    t.diagnostic(`SIGTERM of the leader -> the standby's /readyz 200 after ${ready - stoppedAt} ms`);
    assert.ok(ready - stoppedAt < ttlMs / 2, `the standby led after ${ready - stoppedAt} ms: only resigning explains less than the lease TTL`);
    const adopted = await waitFor(async () => {
      const d = await details(standby, jobId).catch(() => undefined);
      return d && (allRunning(d) || ended(d)) ? { d, at: Date.now() } : undefined;
    }, { timeoutMs: 20_000, what: 'the job running under the new leader', intervalMs: 20 });
    t.diagnostic(`SIGTERM of the leader -> the job ${adopted.d.state} under the new leader after ${adopted.at - stoppedAt} ms`);
    assert.equal(adopted.d.restarts.numRestarts, 0, 'no task was restarted');
    assert.deepEqual(attemptsOf(adopted.d), attemptsOf(before), 'the same attempts run on');
    // One `rivulet cluster` call costs seconds on a loaded machine (a fresh Node process): bounded generously, reported.
    const next = await waitFor(async () => {
      const c = await cluster().catch(() => undefined);
      return c && c.leader.rpcAddress === standby.rpcAddress ? { c, at: Date.now() } : undefined;
    }, { timeoutMs: 30_000, what: '`rivulet cluster` to name the standby leader', intervalMs: 50 });
    t.diagnostic(`SIGTERM of the leader -> \`rivulet cluster\` names the standby leader after ${next.at - stoppedAt} ms, CLI start-up included (lease TTL ${ttlMs} ms)`);
    assert.ok(next.c.leader.epoch! > first.leader.epoch!, 'the new session\'s epoch is newer');
    const exit = await leader.daemon.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, 'the old leader exits 0 after a graceful stop');
    assert.ok(leader.daemon.logs.some((l) => l.msg === 'lease revoked: resigned from the election'), 'the old leader revoked its lease');
    assert.ok(leader.daemon.logs.some((l) => l.msg === 'job suspended: this JobManager no longer leads it'), 'the old leader suspended the job (kept in the HA job store)');
    assert.ok(!leader.daemon.logs.some((l) => /cancel/i.test(String(l.msg))), 'the old leader cancelled nothing on its way out');
    unthrottle(output);

    await waitFor(async () => (ended(await details(standby, jobId)) ? true : undefined), { timeoutMs: 60_000, what: 'the job to end' });
    const end = await status(jobId);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.equal(end.restarts.numRestarts, 0);
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
    await stopAllProcesses();
  });
  test('DisconnectTaskManager refuses bad input, naming it; an unknown registration is acknowledged; the TaskManager stays registered', async () => {
    const jm = await startJobManager();
    await startTaskManager(jm.rpcAddress, { name: 'tm-check', set: ['taskmanager.resource-id=tm-check'] });
    const client = new (rivuletProto().JobManagerService)(jm.rpcAddress, grpc.credentials.createInsecure());
    const call = { timeoutMs: 5000, target: `JobManager at ${jm.rpcAddress}` };
    try {
      const overview = await waitFor(async () => {
        const o = await callUnary(client, 'ClusterOverview', {}, call);
        return o.taskmanagers.length === 1 ? o : undefined;
      }, { timeoutMs: 20_000, what: 'tm-check registered' });
      const registrationId = overview.taskmanagers[0]!.registrationId;
      await assert.rejects(
        callUnary(client, 'DisconnectTaskManager', { registrationId: '', resourceId: '', reason: 'test' }, call),
        /DisconnectTaskManager: registration_id and resource_id are both empty/,
      );
      await assert.rejects(
        callUnary(client, 'DisconnectTaskManager', { registrationId, resourceId: 'tm-other', reason: 'test' }, call),
        new RegExp(`registration "${registrationId}" belongs to TaskManager "tm-check", not "tm-other"`),
      );
      await callUnary(client, 'DisconnectTaskManager', { registrationId: 'no-such-registration', resourceId: 'tm-gone', reason: 'test' }, call);
      const after = await callUnary(client, 'ClusterOverview', {}, call);
      assert.deepEqual(after.taskmanagers.map((tm) => [tm.resourceId, tm.registrationId]), [['tm-check', registrationId]], 'tm-check is still registered, under the same registration');
    } finally {
      client.close();
      await stopAllProcesses();
    }
  });
});
