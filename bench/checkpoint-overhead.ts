import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startS3Server, type StartedS3Server } from '@rivulet/testing';
import {
  describeDaemon,
  median,
  processCpuMs,
  runJobToEnd,
  s3CheckpointSettings,
  startConfiguredCluster,
  type BenchCluster,
  type JobRun,
} from './lib/checkpoint-cluster.js';
import { stopAllProcesses } from './lib/cluster-job.js';
import { printReport } from './lib/report.js';

/**
 * The shuffle benchmark's job (bench/jobs/shuffle-job.ts: keyed word count,
 * parallelism 2 on 2 TaskManagers) with checkpoints every second against
 * the same job without checkpoints, in the same run: runs alternate
 * (off/on, on/off, ...) so drift in the machine's load hits both alike.
 * Checkpoint storage: a temporary folder (default) or S3 on an s3rver
 * process (BENCH_STORAGE=s3).
 * Target: the best run with checkpoints is at most 5% slower than the best
 * without. Besides wall-clock throughput, each run records the CPU time the
 * cluster (JobManager + TaskManagers; with S3 also s3rver) used: records per
 * CPU-second hardly move when other work shares the cores, so their drop is
 * the checkpointing cost read through the noise of a shared machine.
 */
const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 20_000_000);
const VOCABULARY = 10_000;
const PAIRS = Number(process.env['BENCH_PAIRS'] ?? 6);
const STORAGE = process.env['BENCH_STORAGE'] === 's3' ? 's3' : 'filesystem';
const INTERVAL = '1s';
const BUCKET = 'bench';

interface Variant {
  readonly runsMs: number[];
  /** CPU time of the cluster's processes during each run (submission to end). */
  readonly clusterCpuMs: number[];
  readonly checkpointsCompleted: number[];
  readonly checkpointsFailed: number[];
  /** Distinct failure messages of failed checkpoints (history entries). */
  readonly failureMessages: string[];
  /**
   * With checkpoints: from the JobManager's "every task ended its data"
   * (the final checkpoint is triggered) to FINISHED — what the final
   * checkpoint adds to a bounded job.
   */
  readonly endOfDataToFinishedMs: number[];
}

async function main(): Promise<void> {
  let s3: StartedS3Server | undefined;
  let folder: string | undefined;
  let cluster: BenchCluster | undefined;
  try {
    let settings: string[];
    if (STORAGE === 's3') {
      s3 = await startS3Server({ buckets: [BUCKET] });
      settings = s3CheckpointSettings(s3, BUCKET, 'checkpoints');
    } else {
      folder = mkdtempSync(join(tmpdir(), 'rivulet-bench-checkpoints-'));
      settings = [`execution.checkpointing.dir=${pathToFileURL(folder).href}`];
    }
    const jm = (cluster = await startConfiguredCluster(2, settings));
    const args = (records: number): string[] => ['--records', String(records), '--vocabulary', String(VOCABULARY)];
    const withCheckpoints = [`execution.checkpointing.interval=${INTERVAL}`];
    await runJobToEnd(jm, 'shuffle-job', 2, args(2_000_000)); // warm-up, both ways
    await runJobToEnd(jm, 'shuffle-job', 2, args(2_000_000), withCheckpoints);

    const pids = [jm.daemon.pid, ...jm.taskManagers.map((tm) => tm.daemon.pid), ...(s3 ? [s3.pid] : [])];
    const clusterCpuMs = (): number => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
    const emptyVariant = (): Variant => ({ runsMs: [], clusterCpuMs: [], checkpointsCompleted: [], checkpointsFailed: [], failureMessages: [], endOfDataToFinishedMs: [] });
    const off = emptyVariant();
    const on = emptyVariant();
    const record = (variant: Variant, run: JobRun, cpuMs: number): void => {
      variant.runsMs.push(run.runningMs);
      variant.clusterCpuMs.push(Math.round(cpuMs));
      variant.checkpointsCompleted.push(run.checkpoints?.counts.completed ?? 0);
      variant.checkpointsFailed.push(run.checkpoints?.counts.failed ?? 0);
      const ended = jm.daemon.logs.find((l) => l.msg === 'every task ended its data: triggering the final checkpoint' && l['jobId'] === run.jobId);
      if (ended) variant.endOfDataToFinishedMs.push(run.finishedAt - Date.parse(String(ended['time'])));
      for (const entry of run.checkpoints?.history ?? []) {
        const message = entry.status === 'FAILED' ? (entry.failure_message ?? '?').replace(/[0-9a-f]{32}/g, 'JOB').replace(/\(\d+\/\d+\)/g, '(i/n)') : undefined;
        if (message !== undefined && !variant.failureMessages.includes(message)) variant.failureMessages.push(message);
      }
    };
    for (let pair = 0; pair < PAIRS; pair++) {
      const order = pair % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const which of order) {
        const cpuBefore = clusterCpuMs();
        const run = await runJobToEnd(jm, 'shuffle-job', 2, args(RECORDS), which === 'on' ? withCheckpoints : []);
        const cpuMs = clusterCpuMs() - cpuBefore;
        record(which === 'on' ? on : off, run, cpuMs);
        process.stderr.write(`${which}: ${run.runningMs} ms, cluster CPU ${Math.round(cpuMs)} ms, ${run.checkpoints?.counts.completed ?? 0} checkpoints\n`);
      }
    }
    const rate = (ms: number): number => Math.round(RECORDS / (ms / 1000));
    const bestOff = rate(Math.min(...off.runsMs));
    const bestOn = rate(Math.min(...on.runsMs));
    const medianOff = rate(median(off.runsMs));
    const medianOn = rate(median(on.runsMs));
    const dropBest = 1 - bestOn / bestOff;
    const dropMedian = 1 - medianOn / medianOff;
    const perCpuSecond = (cpuMs: number): number => Math.round(RECORDS / (cpuMs / 1000));
    const cpuOff = perCpuSecond(median(off.clusterCpuMs));
    const cpuOn = perCpuSecond(median(on.clusterCpuMs));
    const dropCpu = 1 - cpuOn / cpuOff;
    printReport({
      bench: 'checkpoint-overhead',
      figures: {
        records: RECORDS,
        vocabulary: VOCABULARY,
        parallelism: 2,
        taskManagers: 2,
        checkpointInterval: INTERVAL,
        storage: STORAGE === 's3' ? 's3 (s3rver process)' : 'filesystem (temp folder)',
        recordsPerSecondWithout_best: bestOff,
        recordsPerSecondWith_best: bestOn,
        recordsPerSecondWithout_median: medianOff,
        recordsPerSecondWith_median: medianOn,
        recordsPerClusterCpuSecondWithout_median: cpuOff,
        recordsPerClusterCpuSecondWith_median: cpuOn,
        endOfDataToFinishedMs_median: on.endOfDataToFinishedMs.length > 0 ? median(on.endOfDataToFinishedMs) : null,
        without: off,
        with: on,
      },
      ratios: {
        drop_best: Number(dropBest.toFixed(4)),
        drop_median: Number(dropMedian.toFixed(4)),
        drop_perClusterCpuSecond_median: Number(dropCpu.toFixed(4)),
      },
      targets: { drop_best: { target: '<= 0.05', met: dropBest <= 0.05 } },
    });
  } catch (err) {
    for (const daemon of [cluster?.daemon, ...(cluster?.taskManagers ?? []).map((tm) => tm.daemon)]) {
      if (daemon) process.stderr.write(`${describeDaemon(daemon)}\n`);
    }
    throw err;
  } finally {
    await stopAllProcesses();
    await s3?.close();
    if (cluster) rmSync(cluster.tmpDir, { recursive: true, force: true });
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
}

await main();
