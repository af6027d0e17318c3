import { measureRawCeiling } from './lib/raw-ceiling.js';
import { printReport } from './lib/report.js';
import { runBenchJob, startBenchCluster, stopAllProcesses } from './lib/cluster-job.js';

/**
 * Keyed word count, parallelism 2 across 2 TaskManagers (one slot each, one
 * process per core), records/s per core; against the raw ceiling of
 * serialize + send + deserialize of the same records on one core over
 * loopback, measured in the same run.
 * Targets: >= 1M records/s per core and >= 50% of the ceiling.
 */
const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 20_000_000);
const VOCABULARY = 10_000;
const CORES = 2;

async function ceiling(): Promise<number> {
  const words = Array.from({ length: VOCABULARY }, (_, i) => `word${i}`);
  const sample = Array.from({ length: 2_000_000 }, (_, i) => ({ word: words[(i * 2654435761) % VOCABULARY]!, count: 1 }));
  await measureRawCeiling(sample.slice(0, 200_000), 1000); // warm-up
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push((await measureRawCeiling(sample, 1000)).recordsPerSecond);
  return Math.max(...runs);
}

async function main(): Promise<void> {
  const ceilingRate = await ceiling();
  const jm = await startBenchCluster(2);
  try {
    const args = (records: number): string[] => ['--records', String(records), '--vocabulary', String(VOCABULARY)];
    await runBenchJob(jm, 'shuffle-job', 2, args(1_000_000)); // warm-up
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await runBenchJob(jm, 'shuffle-job', 2, args(RECORDS)));
    const bestMs = Math.min(...runs.map((r) => r.runningMs));
    const perCore = RECORDS / (bestMs / 1000) / CORES;
    printReport({
      bench: 'shuffle',
      figures: {
        records: RECORDS,
        vocabulary: VOCABULARY,
        parallelism: 2,
        taskManagers: 2,
        recordsPerSecondPerCore: Math.round(perCore),
        recordsPerSecondTotal: Math.round(perCore * CORES),
        rawCeilingRecordsPerSecond: Math.round(ceilingRate),
        jobRunsMs: runs.map((r) => r.runningMs),
      },
      ratios: { perCoreOverCeiling: Number((perCore / ceilingRate).toFixed(3)) },
      targets: {
        perCore: { target: '>= 1,000,000 records/s per core', met: perCore >= 1_000_000 },
        perCoreOverCeiling: { target: '>= 0.50', met: perCore / ceilingRate >= 0.5 },
      },
    });
  } finally {
    await stopAllProcesses();
  }
}

await main();
