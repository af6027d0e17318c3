import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, callUnary, rivuletProto } from '@rivulet/common';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  committedCounts,
  runCli,
  runCliJson,
  settingsEnvironment,
  startEtcd,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type CliResult,
  type StartedEtcd,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

/**
 * Fencing and the CLI under etcd high availability, with a real etcd:
 * a leader frozen past its lease, submissions racing the loss of the lease,
 * and `rivulet list` / `cancel` finding the leader without --jobmanager.
 */

interface Cluster {
  leader: { rpcAddress: string; sessionId: string | null; epoch: number | null };
  standbys: string[];
  taskmanagers: { id: string }[];
}

interface JobDetails {
  state: string;
  'root-exception': string | null;
  restarts: { numRestarts: number };
  vertices: { subtasks: { subtask: number; state: string; attempt: string }[] }[];
  checkpoints: { counts: { completed: number }; latest: { completed: { id: number } | null } };
}

const TTL_MS = 2000;
const COUNT_JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'flaky-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-ha-fencing-'));
let etcd: StartedEtcd | undefined;

before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await stopAllProcesses();
  await etcd?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const attemptsOf = (d: JobDetails): string[] => d.vertices.flatMap((v) => v.subtasks.map((s) => s.attempt)).sort();
const allRunning = (d: JobDetails | undefined): d is JobDetails => d !== undefined && d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING'));

/** One HA cluster of its own (own cluster id and checkpoint folder): settings as `-D` pairs and as RIVULET_* variables. */
function haSettings(name: string): { set: string[]; flags: string[]; env: Record<string, string> } {
  const set = [
    'high-availability.type=etcd',
    `high-availability.etcd.endpoints=${etcd!.endpoint}`,
    `high-availability.cluster-id=${name}-${randomUUID().slice(0, 8)}`,
    `high-availability.etcd.lease-ttl=${TTL_MS}ms`,
    `execution.checkpointing.dir=${join(dir, name, 'checkpoints')}`,
  ];
  return { set, flags: set.flatMap((s) => ['-D', s]), env: settingsEnvironment(set) };
}

async function startHaCluster(name: string, taskManagers: number, slots = 2): Promise<{ ha: ReturnType<typeof haSettings>; jms: StartedJobManager[]; tms: StartedTaskManager[] }> {
  const ha = haSettings(name);
  const jms = [await startJobManager({ set: ha.set }), await startJobManager({ set: ha.set })];
  const tms: StartedTaskManager[] = [];
  // TaskManagers find the leader in etcd; the --jobmanager they are given is not used.
  for (let i = 1; i <= taskManagers; i++) tms.push(await startTaskManager('127.0.0.1:1', { slots, name: `tm-${name}-${i}`, set: ha.set }));
  await waitFor(async () => {
    const c = await runCliJson<Cluster>(['cluster', ...ha.flags]).catch(() => undefined);
    return c && c.taskmanagers.length === taskManagers && c.standbys.length === 1 ? true : undefined;
  }, { timeoutMs: 30_000, what: `a leader, a standby and ${taskManagers} TaskManagers` });
  return { ha, jms, tms };
}

/** Submits the counting job (n records over 11 keys, exactly-once file sink); `via` is an explicit JobManager, else etcd finds the leader. */
function submitCount(ha: ReturnType<typeof haSettings>, out: string, n: number, via?: StartedJobManager, interval = '500ms', extra: string[] = []): Promise<CliResult> {
  return runCli([
    'run', COUNT_JOB, '--detached', '--output', 'json', '--parallelism', '2',
    ...(via ? ['--jobmanager', via.rpcAddress] : []),
    '--set', `execution.checkpointing.interval=${interval}`,
    '--', '--n', String(n), '--keys', '11', '--fail-at', '-1', '--failures', '0', '--markers', `${out}-markers`,
    '--pause-every', '20', '--pause-ms', '2', '--output', out, ...extra,
  ], { env: via ? {} : ha.env, timeoutMs: 60_000 });
}

describe('etcd high availability: fencing of a deposed leader, submissions racing a lease loss, the CLI through etcd', { timeout: 300_000 }, () => {
  test('a leader frozen (SIGSTOP) past its lease: a standby takes over; resumed (SIGCONT), the old leader steps down and its calls are refused; output exactly once', async (t) => {
    const { ha, jms, tms } = await startHaCluster('frozen', 2);
    const status = (jobId: string): Promise<JobDetails> => runCliJson<JobDetails>(['status', jobId, ...ha.flags]);
    const n = 400_000;
    const output = join(dir, 'frozen', 'out');
    // Throttled until the test has checked the takeover and the fencing; the rest then runs at full speed.
    const unthrottled = join(dir, 'frozen', 'unthrottled');
    const submitted = await submitCount(ha, output, n, undefined, '500ms', ['--throttle-until', unthrottled]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    const running = await waitFor(async () => {
      const d = await status(jobId).catch(() => undefined);
      return allRunning(d) && d.checkpoints.counts.completed >= 2 ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job running with checkpoints' });
    const first = await runCliJson<Cluster>(['cluster', ...ha.flags]);
    const old = jms.find((jm) => jm.rpcAddress === first.leader.rpcAddress)!;
    const standby = jms.find((jm) => jm !== old)!;

    await old.daemon.freeze();
    const next = await waitFor(async () => {
      const c = await runCliJson<Cluster>(['cluster', ...ha.flags]).catch(() => undefined);
      return c && c.leader.rpcAddress === standby.rpcAddress && c.taskmanagers.length === 2 ? c : undefined;
    }, { timeoutMs: 20_000, what: 'the standby to lead while the leader is frozen', intervalMs: 100 });
    assert.ok(next.leader.epoch! > first.leader.epoch!, 'the new leader has a newer epoch');
    // Adopted (or restarted) by the new leader; the job may even finish before a CLI poll sees it RUNNING.
    await standby.daemon.waitForLog((l) => l.msg === 'job adopted: every task kept running' || l.msg === 'job deployed', 30_000, 'the new leader to adopt or redeploy the job');
    const adopted = await status(jobId);
    assert.ok(['RUNNING', 'FINISHED'].includes(adopted.state), `the job runs under the new leader: ${adopted.state}`);
    // Past the lease, frozen a little longer: its checkpoint timer and heartbeats are all overdue when it wakes.
    await sleep(1000);
    const resumedAt = Date.now();
    old.daemon.signal('SIGCONT');

    await old.daemon.waitForLog((l) => l.msg === 'leadership revoked; no longer acting as leader', 10_000, 'the resumed old leader to step down');
    assert.equal((await fetch(`${old.restUrl}/readyz`)).status, 503, 'the old leader is no longer ready');
    await sleep(1500); // what the old leader had due when it woke has run by now

    // Every call of the old session is refused by the TaskManagers: the test makes one itself, as the old leader would.
    const TaskManagerService = rivuletProto().TaskManagerService;
    for (const tm of tms) {
      const client = new TaskManagerService(`127.0.0.1:${tm.rpcPort}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
      try {
        await assert.rejects(
          callUnary(client, 'CancelTask', { leader: { sessionId: first.leader.sessionId!, epoch: first.leader.epoch! }, jobId, executionAttemptId: attemptsOf(adopted)[0]! }, { timeoutMs: 5000, target: `TaskManager ${tm.resourceId}` }),
          /refused: a newer leader \(epoch \d+\) is known/,
          `TaskManager ${tm.resourceId} refuses the old leader's session`,
        );
      } finally {
        client.close();
      }
    }
    // What the old leader itself sent after waking (checkpoint triggers, commits, heartbeats) was refused or never sent.
    const refusedCalls = old.daemon.logs.filter((l) => Date.parse(String(l['time'])) >= resumedAt && /refused: a newer leader/.test(JSON.stringify(l)));
    t.diagnostic(`calls of the old leader refused by TaskManagers after SIGCONT: ${refusedCalls.length}`);
    for (const tm of tms) {
      assert.ok(!tm.daemon.logs.some((l) => l.msg === 'stale tasks cancelled'), `${tm.resourceId} was never told by the old leader to cancel the adopted tasks`);
    }
    const now = await status(jobId);
    assert.deepEqual(attemptsOf(now), attemptsOf(adopted), 'the old leader changed nothing: the same attempts run under the new leader');
    t.diagnostic(`attempts before the freeze ${attemptsOf(running).join(',') === attemptsOf(adopted).join(',') ? 'adopted unchanged' : 'restarted once by the new leader'}`);
    assert.equal((await runCliJson<Cluster>(['cluster', ...ha.flags])).leader.rpcAddress, standby.rpcAddress, 'the new leader still leads');

    mkdirSync(join(dir, 'frozen'), { recursive: true });
    writeFileSync(unthrottled, '');
    // Polled through the new leader's REST API (a CLI process per poll would slow the job on a small machine); the CLI reports the end.
    await waitFor(async () => {
      const d = (await (await fetch(`${standby.restUrl}/jobs/${jobId}`)).json()) as JobDetails;
      return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
    }, { timeoutMs: 120_000, what: 'the job to end' });
    const end = await status(jobId);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
  });

  test('a job whose data ends while its leader is frozen: nothing is committed without a checkpoint; the new leader adopts every task, takes the final checkpoint, and the output is exactly once', async () => {
    const { ha, jms, tms } = await startHaCluster('ended', 2);
    const first = await runCliJson<Cluster>(['cluster', ...ha.flags]);
    const old = jms.find((jm) => jm.rpcAddress === first.leader.rpcAddress)!;
    const standby = jms.find((jm) => jm !== old)!;
    const n = 40_000;
    const output = join(dir, 'ended', 'out');
    // No periodic checkpoint comes before the freeze (the interval is an hour): only the final one can commit.
    // The last record is held until the leader is frozen, so the data cannot end first on a slow machine.
    const release = join(dir, 'ended', 'release');
    const submitted = await submitCount(ha, output, n, undefined, '1h', ['--hold-last', release]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    const running = await waitFor(async () => {
      const d = await runCliJson<JobDetails>(['status', jobId, ...ha.flags]).catch(() => undefined);
      return allRunning(d) ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the job RUNNING', intervalMs: 50 });
    await old.daemon.freeze();
    mkdirSync(join(dir, 'ended'), { recursive: true });
    writeFileSync(release, '');
    try {
      // Every task (2 sources, 2 counting sinks) reaches the end of its data with no leader to hear of it.
      const endedTasks = (): number => tms.reduce((k, tm) => k + tm.daemon.logs.filter((l) => l.msg === 'end of data: waiting for the final checkpoint' && l['jobId'] === jobId).length, 0);
      // (Before final checkpoints, the sinks committed everything as they finished, here, and the new leader ran the job again.)
      await waitFor(() => (endedTasks() === 4 || committedCounts(output).size > 0 ? true : undefined), { timeoutMs: 30_000, what: 'every task at the end of its data' });
      assert.equal(committedCounts(output).size, 0, 'no output is visible before a checkpoint covers it');
      assert.equal(endedTasks(), 4);
      await waitFor(async () => {
        const c = await runCliJson<Cluster>(['cluster', ...ha.flags]).catch(() => undefined);
        return c && c.leader.rpcAddress === standby.rpcAddress ? true : undefined;
      }, { timeoutMs: 20_000, what: 'the standby to lead', intervalMs: 100 });
      const end = await waitFor(async () => {
        const d = await runCliJson<JobDetails>(['status', jobId, ...ha.flags]).catch(() => undefined);
        return d && ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
      }, { timeoutMs: 60_000, what: 'the job to end under the new leader' });
      assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
      assert.ok(standby.daemon.logs.some((l) => l.msg === 'job adopted: every task kept running'), 'the new leader adopted the waiting tasks');
      assert.equal(end.restarts.numRestarts, 0, 'no task was restarted');
      assert.deepEqual(attemptsOf(end), attemptsOf(running), 'the attempts that ran under the old leader finished under the new one');
      assert.ok(standby.daemon.logs.some((l) => l.msg === 'final checkpoint completed: every task had ended its data'), 'the new leader took the final checkpoint');
      assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
    } finally {
      old.daemon.signal('SIGCONT');
    }
  });

  test('jobs submitted to a leader just as it loses its lease are either recorded in the HA store and run once, or refused with a clear error; never run twice', async (t) => {
    const { ha, jms } = await startHaCluster('race', 2, 7); // room for every submission at once
    const first = await runCliJson<Cluster>(['cluster', ...ha.flags]);
    const old = jms.find((jm) => jm.rpcAddress === first.leader.rpcAddress)!;
    const standby = jms.find((jm) => jm !== old)!;
    const n = 20_000;
    // Submissions to the old leader's address, sent before, during and after the freeze that loses its lease.
    const submissions: { out: string; result: Promise<CliResult> }[] = [];
    const submit = (label: string): void => {
      const out = join(dir, 'race', label);
      submissions.push({ out, result: submitCount(ha, out, n, old) });
    };
    submit('before');
    await submissions[0]!.result; // accepted while it clearly leads
    // Two more on their way (bundling, uploading, recording in etcd) when it freezes.
    submit('edge-1');
    await sleep(900);
    submit('edge-2');
    await sleep(300);
    await old.daemon.freeze();
    submit('frozen-1');
    await sleep(TTL_MS / 2);
    submit('frozen-2');
    await waitFor(async () => {
      const c = await runCliJson<Cluster>(['cluster', ...ha.flags]).catch(() => undefined);
      return c && c.leader.rpcAddress === standby.rpcAddress ? true : undefined;
    }, { timeoutMs: 20_000, what: 'the standby to lead', intervalMs: 100 });
    submit('frozen-3');
    await sleep(500);
    old.daemon.signal('SIGCONT'); // its queued submissions and its watchdog race now
    submit('resumed');

    const results = await Promise.all(submissions.map(async (s) => ({ ...s, done: await s.result })));
    const accepted: { out: string; jobId: string }[] = [];
    for (const r of results) {
      if (r.done.code === 0) {
        accepted.push({ out: r.out, jobId: (JSON.parse(r.done.stdout) as { jobId: string }).jobId });
      } else {
        assert.equal(r.done.code, 1, `a refusal is a cluster error (exit 1): ${r.done.stderr}`);
        assert.match(r.done.stderr, /leader|leadership|HA job store|fenc/i, `the refusal says why: ${r.done.stderr.trim()}`);
      }
    }
    t.diagnostic(`accepted ${accepted.length} of ${results.length}; refused: ${results.filter((r) => r.done.code !== 0).map((r) => r.done.stderr.trim().split('\n').at(-1)).join(' | ')}`);
    assert.equal(results[0]!.done.code, 0, `the submission made while the leader led was accepted: ${results[0]!.done.stderr}`);

    // Every accepted job runs once, under the current leader; nothing refused left a trace.
    const listed = await waitFor(async () => {
      const list = await runCliJson<{ jobs: { id: string; state: string }[] }>(['list', ...ha.flags]).catch(() => undefined);
      return list && accepted.every((a) => list.jobs.some((j) => j.id === a.jobId)) && list.jobs.every((j) => j.state === 'FINISHED') ? list : undefined;
    }, { timeoutMs: 90_000, what: 'every job (each accepted one among them) to finish under the new leader' }).catch(async (err: Error) => {
      const list = await runCliJson<{ jobs: { id: string; state: string }[] }>(['list', ...ha.flags]).catch((e: Error) => e.message);
      throw new Error(`${err.message}; accepted ${JSON.stringify(accepted.map((a) => a.jobId))}; the cluster lists ${JSON.stringify(list)}`);
    });
    // A refusal is definite, unless it says the outcome is unknown (etcd did not answer the read-back): such a job may exist, once.
    const refused = results.filter((r) => r.done.code !== 0);
    const unknown = refused.filter((r) => /may or may not be recorded/.test(r.done.stderr));
    assert.ok(listed.jobs.length >= accepted.length && listed.jobs.length <= accepted.length + unknown.length, `only the accepted jobs (and at most those of unknown outcome) exist: ${JSON.stringify(listed.jobs)}`);
    assert.equal(new Set(listed.jobs.map((j) => j.id)).size, listed.jobs.length, 'no job is listed twice');
    for (const a of accepted) assert.doesNotThrow(() => assertCountsExactlyOnce(a.out, n, 11), `job ${a.jobId} ran exactly once`);
    for (const r of refused) {
      if (unknown.includes(r)) {
        if (existsSync(r.out)) assert.doesNotThrow(() => assertCountsExactlyOnce(r.out, n, 11), `a job of unknown outcome that ran, ran once (${r.out})`);
      } else {
        assert.ok(!existsSync(r.out), `a refused job wrote nothing (${r.out})`);
      }
    }
  });

  test('rivulet list and cancel find the leader through etcd, without --jobmanager', async () => {
    const { ha } = await startHaCluster('cli', 1);
    const output = join(dir, 'cli', 'out');
    const submitted = await submitCount(ha, output, 50_000_000);
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    const listed = await runCliJson<{ jobs: { id: string; state: string }[] }>(['list', ...ha.flags]);
    assert.deepEqual(listed.jobs.map((j) => j.id), [jobId]);
    const text = await runCli(['list', ...ha.flags]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(jobId));
    const cancelled = await runCliJson<{ jobId: string; cancelled: boolean }>(['cancel', jobId, ...ha.flags]);
    assert.deepEqual(cancelled, { jobId, cancelled: true });
    await waitFor(async () => {
      const list = await runCliJson<{ jobs: { id: string; state: string }[] }>(['list', ...ha.flags]);
      return list.jobs.find((j) => j.id === jobId)?.state === 'CANCELED' ? true : undefined;
    }, { timeoutMs: 30_000, what: 'the job CANCELED' });
    // Without a leader to find, the CLI says so instead of hanging.
    const nowhere = await runCli(['list', '-D', 'high-availability.type=etcd', '-D', `high-availability.etcd.endpoints=${etcd!.endpoint}`, '-D', 'high-availability.cluster-id=no-such-cluster'], { timeoutMs: 30_000 });
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /no-such-cluster|leader/i);
  });
});
