import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  cancelJob,
  checkpointStatistics,
  median,
  sleep,
  startConfiguredCluster,
  submitDetached,
  type BenchCluster,
  type CheckpointEntry,
} from './lib/checkpoint-cluster.js';
import { stopAllProcesses } from './lib/cluster-job.js';
import { printReport } from './lib/report.js';

/**
 * Checkpoint duration of a backpressured job, aligned against unaligned, in
 * one run on the same cluster (2 TaskManagers, one slot each). The job
 * (bench/jobs/backpressure-job.ts, parallelism 2): a fast source into a
 * map behind a rebalance that spins BENCH_SLOW_US µs per record, then a
 * keyed running count into the exactly-once file sink. Buffer debloating
 * is off, so every channel of the rebalance holds whole batches: seconds of
 * the slow map's work that an aligned barrier waits behind and an
 * unaligned one overtakes (stored as in-flight data instead).
 * Checkpoints every second; the ones triggered after a warm-up (the
 * channels fill) are measured, BENCH_CHECKPOINTS of each kind.
 * Target: the median unaligned checkpoint takes at most 1/5 of the median
 * aligned one.
 */
const SLOW_US = Number(process.env['BENCH_SLOW_US'] ?? 500);
const CHECKPOINTS = Number(process.env['BENCH_CHECKPOINTS'] ?? 3);
const WARM_UP_MS = 8000;
const MEASURE_TIMEOUT_MS = 240_000;

interface Measured {
  readonly durationsMs: number[];
  readonly persistedBytes: number[];
  readonly alignmentMs: number[];
}

async function measure(cluster: BenchCluster, folder: string, unaligned: boolean): Promise<Measured> {
  const jobId = await submitDetached(cluster, 'backpressure-job', 2,
    ['--n', '1000000000', '--keys', '64', '--slow-us', String(SLOW_US), '--output', join(folder, `out-${unaligned ? 'unaligned' : 'aligned'}`)],
    ['execution.checkpointing.interval=1s', `execution.checkpointing.unaligned.enabled=${unaligned}`]);
  const started = Date.now();
  try {
    let measured: CheckpointEntry[] = [];
    while (Date.now() - started < MEASURE_TIMEOUT_MS) {
      await sleep(500);
      const { history } = await checkpointStatistics(cluster, jobId);
      measured = history.filter((c) => c.status === 'COMPLETED' && !c.is_savepoint && c.trigger_timestamp > started + WARM_UP_MS);
      if (measured.length >= CHECKPOINTS) break;
    }
    if (measured.length < CHECKPOINTS) throw new Error(`${unaligned ? 'unaligned' : 'aligned'}: ${measured.length} of ${CHECKPOINTS} checkpoints completed within ${MEASURE_TIMEOUT_MS} ms`);
    const entries = measured.slice(0, CHECKPOINTS) as (CheckpointEntry & { persisted_data: number; alignment_duration: number })[];
    return {
      durationsMs: entries.map((c) => c.end_to_end_duration),
      persistedBytes: entries.map((c) => c.persisted_data),
      alignmentMs: entries.map((c) => c.alignment_duration),
    };
  } finally {
    await cancelJob(cluster, jobId);
  }
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'rivulet-bench-backpressure-'));
  let cluster: BenchCluster | undefined;
  try {
    cluster = await startConfiguredCluster(2, [
      `execution.checkpointing.dir=${pathToFileURL(join(folder, 'checkpoints')).href}`,
      'taskmanager.network.memory.buffer-debloat.enabled=false',
    ]);
    const unaligned = await measure(cluster, folder, true);
    const aligned = await measure(cluster, folder, false);
    const ratio = median(unaligned.durationsMs) / median(aligned.durationsMs);
    printReport({
      bench: 'checkpoint-backpressure',
      figures: {
        slowMapMicrosPerRecord: SLOW_US,
        checkpointsMeasured: CHECKPOINTS,
        alignedDurationsMs: aligned.durationsMs,
        alignedMedianMs: median(aligned.durationsMs),
        alignedAlignmentMs: aligned.alignmentMs,
        unalignedDurationsMs: unaligned.durationsMs,
        unalignedMedianMs: median(unaligned.durationsMs),
        unalignedPersistedBytes: unaligned.persistedBytes,
        alignedPersistedBytes: aligned.persistedBytes,
      },
      ratios: { unalignedOverAligned: Math.round(ratio * 1000) / 1000 },
      targets: { unalignedOverAligned: { target: '<= 0.2', met: ratio <= 0.2 } },
    });
  } finally {
    await stopAllProcesses();
    rmSync(folder, { recursive: true, force: true });
    if (cluster) rmSync(cluster.tmpDir, { recursive: true, force: true });
  }
}

await main();
