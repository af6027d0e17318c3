import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, startJobManager, startTaskManager, waitFor, type StartedEtcd, type StartedJobManager } from '@rivulet/testing';
import { median, sleep, submitDetached } from './lib/checkpoint-cluster.js';
import { stopAllProcesses } from './lib/cluster-job.js';
import { printReport } from './lib/report.js';

/**
 * bench/failover: two JobManagers (high-availability.type etcd, a real etcd),
 * two TaskManagers, a running keyed job (bench/jobs/recovery-job.ts, 100k keys,
 * 1 s checkpoints to a folder). Each run kill -9s the leading JobManager and
 * measures from the kill:
 *  - `servingMs`: the standby answers as leader (`/readyz` 200) and serves
 *    the job (`GET /jobs/:id` RUNNING with every subtask RUNNING);
 *  - `nextCheckpointMs`: a checkpoint newer than the last one before the kill completed;
 *  - `taskRestarts`: subtasks whose execution attempt changed (target 0).
 * The killed JobManager is started again as the next run's standby.
 * Ratio: servingMs against the lease TTL (the target is TTL + 0.5 s).
 */
const TTL_MS = Number(process.env['BENCH_TTL_MS'] ?? 5000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const KEYS = Number(process.env['BENCH_KEYS'] ?? 100_000);

interface Job {
  state: string;
  restarts: { numRestarts: number };
  vertices: { subtasks: { state: string; attempt: string }[] }[];
  checkpoints: { latest: { completed: { id: number } | null } };
}

async function job(jm: StartedJobManager, jobId: string): Promise<Job | undefined> {
  try {
    const response = await fetch(`${jm.restUrl}/jobs/${jobId}`);
    return response.status === 200 ? ((await response.json()) as Job) : undefined;
  } catch {
    return undefined;
  }
}

async function ready(jm: StartedJobManager): Promise<boolean> {
  try {
    return (await fetch(`${jm.restUrl}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

/**
 * Where the serving time goes, from the standby's own log (pino's ISO `time`):
 * elected (leadership granted), the job read back from the HA stores and its
 * checkpoint, every TaskManager registered with it, and the job adopted (or
 * redeployed).
 */
function phasesAfter(standby: StartedJobManager, killedAt: number): Record<string, number> {
  const after = (msg: string): number[] =>
    standby.daemon.logs
      .filter((e) => e.msg === msg && typeof e['time'] === 'string')
      .map((e) => Date.parse(e['time'] as string) - killedAt)
      .filter((ms) => ms >= 0);
  const phases: Record<string, number> = {};
  const elected = after('leadership granted')[0];
  if (elected !== undefined) phases['electedMs'] = elected;
  const registered = after('TaskManager registered');
  if (registered.length > 0) phases['taskManagersRegisteredMs'] = Math.max(...registered);
  const recovered = after('recovering the job: adopting running tasks')[0];
  if (recovered !== undefined) phases['jobRecoveredMs'] = recovered;
  const adopted = after('job adopted: every task kept running')[0] ?? after('job deployed')[0];
  if (adopted !== undefined) phases['adoptedMs'] = adopted;
  return phases;
}

const attempts = (j: Job): string[] => j.vertices.flatMap((v) => v.subtasks.map((s) => s.attempt)).sort();
const allRunning = (j: Job | undefined): j is Job => j !== undefined && j.state === 'RUNNING' && j.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING'));

async function main(): Promise<void> {
  let etcd: StartedEtcd | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-bench-failover-'));
  try {
    etcd = await startEtcd();
    const settings = [
      'high-availability.type=etcd',
      `high-availability.etcd.endpoints=${etcd.endpoint}`,
      'high-availability.cluster-id=bench-failover',
      `high-availability.etcd.lease-ttl=${TTL_MS}ms`,
      `execution.checkpointing.dir=${join(dir, 'checkpoints')}`,
      `taskmanager.tmp.dirs=${dir}`,
    ];
    let jms: StartedJobManager[] = [await startJobManager({ set: settings }), await startJobManager({ set: settings })];
    const leaderNow = async (): Promise<StartedJobManager> =>
      waitFor(async () => {
        for (const jm of jms) if (await ready(jm)) return jm;
        return undefined;
      }, { timeoutMs: 30_000, what: 'a leading JobManager', intervalMs: 20 });
    const first = await leaderNow();
    await startTaskManager(first.rpcAddress, { slots: 1, name: 'tm1', set: settings });
    await startTaskManager(first.rpcAddress, { slots: 1, name: 'tm2', set: settings });
    await waitFor(async () => ((await (await fetch(`${first.restUrl}/overview`)).json()) as { taskmanagers: number }).taskmanagers === 2, { timeoutMs: 30_000, what: '2 TaskManagers' });
    const jobId = await submitDetached(first, 'recovery-job', 2, ['--keys', String(KEYS), '--progress', join(dir, 'progress')], ['execution.checkpointing.interval=1s']);
    const runs: Record<string, number>[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const leader = await leaderNow();
      const standby = jms.find((jm) => jm !== leader)!;
      const before = await waitFor(async () => {
        const j = await job(leader, jobId);
        return allRunning(j) && (j.checkpoints.latest.completed?.id ?? 0) >= 2 ? j : undefined;
      }, { timeoutMs: 60_000, what: `the job running with checkpoints before run ${run}` });
      await sleep(1500);
      const last = (await job(leader, jobId))!;
      const killedAt = Date.now();
      leader.daemon.signal('SIGKILL');
      const serving = await waitFor(async () => ((await ready(standby)) && allRunning(await job(standby, jobId)) ? Date.now() : undefined), { timeoutMs: 60_000, what: 'the standby serving the job', intervalMs: 10 });
      const afterServe = (await job(standby, jobId))!;
      const nextCheckpoint = await waitFor(async () => {
        const j = await job(standby, jobId);
        return (j?.checkpoints.latest.completed?.id ?? 0) > (last.checkpoints.latest.completed?.id ?? 0) ? Date.now() : undefined;
      }, { timeoutMs: 60_000, what: 'a checkpoint by the new leader', intervalMs: 20 });
      const phases = phasesAfter(standby, killedAt);
      const changed = attempts(afterServe).filter((a) => !attempts(before).includes(a)).length;
      runs.push({
        run,
        ...phases,
        servingMs: serving - killedAt,
        nextCheckpointMs: nextCheckpoint - killedAt,
        taskRestarts: changed,
        numRestarts: afterServe.restarts.numRestarts,
        checkpointBefore: last.checkpoints.latest.completed?.id ?? 0,
      });
      process.stderr.write(`run ${run}: ${JSON.stringify(runs.at(-1))}\n`);
      await leader.daemon.exited;
      jms = [standby, await startJobManager({ set: settings })];
    }
    const servingMs = median(runs.map((r) => r.servingMs!));
    const restarts = runs.reduce((sum, r) => sum + r.taskRestarts!, 0);
    printReport({
      bench: 'failover',
      figures: {
        leaseTtlMs: TTL_MS,
        keys: KEYS,
        parallelism: 2,
        runs,
        servingMsMedian: servingMs,
        nextCheckpointMsMedian: median(runs.map((r) => r.nextCheckpointMs!)),
        taskRestartsTotal: restarts,
      },
      ratios: { servingOverTtl: Number((servingMs / TTL_MS).toFixed(3)) },
      targets: {
        servingMs: { target: `<= TTL + 500 (${TTL_MS + 500})`, met: Math.max(...runs.map((r) => r.servingMs!)) <= TTL_MS + 500 },
        taskRestarts: { target: '0', met: restarts === 0 },
      },
    });
  } finally {
    await stopAllProcesses();
    await etcd?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
