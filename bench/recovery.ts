import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, startTaskManager, waitFor, type StartedS3Server, type StartedTaskManager } from '@rivulet/testing';
import {
  cancelJob,
  describeDaemon,
  median,
  s3CheckpointSettings,
  sleep,
  startConfiguredCluster,
  submitDetached,
  type BenchCluster,
} from './lib/checkpoint-cluster.js';
import { stopAllProcesses } from './lib/cluster-job.js';
import { printReport } from './lib/report.js';

/**
 * bench/recovery: a keyed count over ~1M keys at parallelism 2 on two
 * TaskManagers (one slot each) plus a spare, checkpoints every second to an
 * s3rver process. Each run kill -9s one of the two TaskManagers running the
 * job and measures, from the kill:
 *  - `detectedMs`: the JobManager records the TaskManager as lost;
 *  - `firstRecordMs`: the first record processed by a restored subtask;
 *  - `throughputBackMs`: the end of the first 500 ms window whose rate is at
 *    least 90% of the rate in the 3 s before the kill.
 * Baseline in the same run: `rivulet run` submission -> the job's first record.
 * Then a TaskManager is started so the next run has a spare again.
 */
const KEYS = Number(process.env['BENCH_KEYS'] ?? 1_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 4);
const RESTART_DELAY = process.env['BENCH_RESTART_DELAY'] ?? '0ms';
const BUCKET = 'recovery';
const WINDOW_MS = 500;
const PRIOR_MS = 3000;

interface Progress {
  readonly file: string;
  readonly points: readonly (readonly [time: number, records: number])[];
}

function readProgress(folder: string): Progress[] {
  return readdirSync(folder).map((name) => {
    const file = join(folder, name);
    const points = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split(',').map(Number) as [number, number]);
    return { file, points };
  });
}

/** Records processed in [from, to) over all files, from their cumulative counts (linear between points). */
function recordsBetween(progress: readonly Progress[], from: number, to: number): number {
  let total = 0;
  for (const { points } of progress) {
    for (let i = 1; i < points.length; i++) {
      const [t0, c0] = points[i - 1]!;
      const [t1, c1] = points[i]!;
      const overlap = Math.min(t1, to) - Math.max(t0, from);
      if (overlap > 0 && t1 > t0) total += ((c1 - c0) * overlap) / (t1 - t0);
    }
  }
  return total;
}

async function main(): Promise<void> {
  let s3: StartedS3Server | undefined;
  let cluster: BenchCluster | undefined;
  const progressDir = mkdtempSync(join(tmpdir(), 'rivulet-bench-recovery-'));
  try {
    s3 = await startS3Server({ buckets: [BUCKET] });
    const settings = [...s3CheckpointSettings(s3, BUCKET, 'checkpoints')];
    const jm = (cluster = await startConfiguredCluster(3, settings));
    const tms = new Map<string, StartedTaskManager>(jm.taskManagers.map((tm) => [tm.resourceId, tm]));
    const submittedAt = Date.now();
    const jobId = await submitDetached(jm, 'recovery-job', 2, ['--keys', String(KEYS), '--progress', progressDir], [
      'execution.checkpointing.interval=1s',
      'restart-strategy.type=fixed-delay',
      'restart-strategy.fixed-delay.attempts=1000',
      `restart-strategy.fixed-delay.delay=${RESTART_DELAY}`,
    ]);
    const details = async (): Promise<{ state: string; restarts: { numRestarts: number }; exceptions: { timestamp: number; cause: string }[]; vertices: { subtasks: { state: string; taskmanager: string | null }[] }[]; checkpoints: { counts: { completed: number }; latest: { completed: { state_size: number } | null } } }> =>
      (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as never;
    const allRunning = (d: Awaited<ReturnType<typeof details>>): boolean => d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING'));
    // Baseline in the same run: submission (bundled by the CLI, deployed, state empty) -> first record.
    const coldStart = await waitFor(async () => {
      const firsts = readProgress(progressDir).map((p) => p.points[0]?.[0]).filter((t): t is number => t !== undefined);
      return firsts.length > 0 ? Math.min(...firsts) - submittedAt : undefined;
    }, { timeoutMs: 60_000, what: 'the first record of the job' });
    const runs: Record<string, number | null>[] = [];
    let spare = 0;
    for (let run = 1; run <= RUNS; run++) {
      // Full state and two checkpoints since the last run, then the rate settles.
      const before = await waitFor(async () => {
        const d = await details();
        if (d.state !== 'RUNNING') throw new Error(`job is ${d.state}`);
        return allRunning(d) && d.checkpoints.counts.completed >= run * 3 ? d : undefined;
      }, { timeoutMs: 120_000, what: `checkpoints before run ${run}` });
      await sleep(PRIOR_MS + 500);
      const victim = before.vertices[0]!.subtasks[0]!.taskmanager!;
      const restartsBefore = (await details()).restarts.numRestarts;
      const stateBytes = before.checkpoints.latest.completed?.state_size ?? null;
      const logsBefore = new Map([...tms].map(([id, tm]) => [id, tm.daemon.logs.length]));
      const killedAt = Date.now();
      tms.get(victim)!.daemon.signal('SIGKILL');
      tms.delete(victim);
      const after = await waitFor(async () => {
        const d = await details();
        return d.restarts.numRestarts > restartsBefore && allRunning(d) ? d : undefined;
      }, { timeoutMs: 60_000, what: `the job running again after run ${run}'s kill`, intervalMs: 10 });
      const runningAgainMs = Date.now() - killedAt;
      await sleep(6000);
      const progress = readProgress(progressDir);
      const prior = recordsBetween(progress, killedAt - PRIOR_MS, killedAt) / (PRIOR_MS / 1000);
      const restored = progress.filter((p) => statSync(p.file).birthtimeMs >= killedAt || (p.points[0]?.[0] ?? 0) > killedAt);
      const firstRecord = Math.min(...restored.map((p) => p.points[0]?.[0] ?? Infinity));
      let back: number | null = null;
      for (let t = firstRecord; t + WINDOW_MS <= Date.now() - 100; t += 50) {
        if (recordsBetween(progress, t, t + WINDOW_MS) / (WINDOW_MS / 1000) >= 0.9 * prior) {
          back = t + WINDOW_MS - killedAt;
          break;
        }
      }
      // The first failure recorded after the kill: the lost TaskManager, or a peer's broken data connection, whichever came first.
      const lost = after.exceptions.filter((e) => e.timestamp >= killedAt).map((e) => e.timestamp);
      let localBytes = 0;
      let remoteBytes = 0;
      for (const [id, tm] of tms) {
        for (const line of tm.daemon.logs.slice(logsBefore.get(id) ?? 0)) {
          if (line.msg !== 'state restored') continue;
          localBytes += Number(line['localBytes'] ?? 0);
          remoteBytes += Number(line['remoteBytes'] ?? 0);
        }
      }
      runs.push({
        run,
        stateBytes,
        recordsPerSecondBefore: Math.round(prior),
        detectedMs: lost.length > 0 ? Math.min(...lost) - killedAt : null,
        firstRecordMs: Number.isFinite(firstRecord) ? firstRecord - killedAt : null,
        allSubtasksRunningMs: runningAgainMs,
        throughputBackMs: back,
        restoredLocalBytes: localBytes,
        restoredRemoteBytes: remoteBytes,
      });
      process.stderr.write(`run ${run}: ${JSON.stringify(runs.at(-1))}\n`);
      const replacement = await startTaskManager(jm.rpcAddress, { slots: 1, name: `spare${++spare}`, set: [...settings, `taskmanager.tmp.dirs=${jm.tmpDir}`] });
      tms.set(replacement.resourceId, replacement);
    }
    await cancelJob(jm, jobId);
    const figure = (name: string): number | null => {
      const values = runs.map((r) => r[name]).filter((v): v is number => typeof v === 'number');
      return values.length === 0 ? null : median(values);
    };
    const firstRecordMs = figure('firstRecordMs');
    printReport({
      bench: 'recovery',
      figures: {
        keys: KEYS,
        parallelism: 2,
        taskManagers: '2 running the job + 1 spare (1 slot each)',
        checkpointing: '1 s to s3 (s3rver process)',
        restartStrategy: `fixed-delay, delay ${RESTART_DELAY}`,
        runs,
        detectedMsMedian: figure('detectedMs'),
        firstRecordMsMedian: firstRecordMs,
        throughputBackMsMedian: figure('throughputBackMs'),
        allSubtasksRunningMsMedian: figure('allSubtasksRunningMs'),
        coldStartFirstRecordMs: coldStart,
      },
      ratios: { firstRecordOverColdStart: firstRecordMs === null ? -1 : Number((firstRecordMs / coldStart).toFixed(3)) },
      targets: { firstRecordMs: { target: '<= 1500', met: firstRecordMs !== null && firstRecordMs <= 1500 } },
    });
  } catch (err) {
    for (const daemon of [cluster?.daemon, ...(cluster?.taskManagers ?? []).map((tm) => tm.daemon)]) {
      if (daemon) process.stderr.write(`${describeDaemon(daemon)}\n`);
    }
    throw err;
  } finally {
    await stopAllProcesses();
    await s3?.stop();
    if (cluster) rmSync(cluster.tmpDir, { recursive: true, force: true });
    rmSync(progressDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
