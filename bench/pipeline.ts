import { printReport } from './lib/report.js';
import { runBenchJob, startBenchCluster, stopAllProcesses } from './lib/cluster-job.js';

/**
 * source -> map -> filter -> keyed count in one TaskManager (parallelism 1),
 * against a plain JS loop doing the same work in this process, in the same run.
 * Target: the pipeline reaches >= 40% of the loop's records/s.
 */
const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 20_000_000);
const KEYS = 1000;

function plainLoop(records: number, keys: number, stringKeys: boolean): number {
  const counts = new Map<number | string, { key: number | string; value: number }>();
  let emitted = 0;
  for (let i = 1; i <= records; i++) {
    const record = { key: stringKeys ? `key-${i % keys}` : i % keys, value: i };
    if (record.value % 3 === 0) continue;
    const previous = counts.get(record.key);
    const next = previous === undefined ? record : { key: previous.key, value: previous.value + 1 };
    counts.set(record.key, next);
    emitted += 1;
  }
  return emitted;
}

function timeLoop(stringKeys: boolean): number {
  const start = process.hrtime.bigint();
  plainLoop(RECORDS, KEYS, stringKeys);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface Variant {
  readonly pipelineRecordsPerSecond: number;
  readonly loopRecordsPerSecond: number;
  readonly pipelineRunsMs: number[];
  readonly ratio: number;
}

async function measure(jm: Awaited<ReturnType<typeof startBenchCluster>>, keyType: 'number' | 'string'): Promise<Variant> {
  const stringKeys = keyType === 'string';
  timeLoop(stringKeys); // warm-up
  const loopMs = Math.min(timeLoop(stringKeys), timeLoop(stringKeys), timeLoop(stringKeys));
  const args = (records: number): string[] => ['--records', String(records), '--keys', String(KEYS), '--key-type', keyType];
  await runBenchJob(jm, 'pipeline-job', 1, args(1_000_000)); // warm-up
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push((await runBenchJob(jm, 'pipeline-job', 1, args(RECORDS))).runningMs);
  const pipelineRate = RECORDS / (Math.min(...runs) / 1000);
  const loopRate = RECORDS / (loopMs / 1000);
  return {
    pipelineRecordsPerSecond: Math.round(pipelineRate),
    loopRecordsPerSecond: Math.round(loopRate),
    pipelineRunsMs: runs,
    ratio: Number((pipelineRate / loopRate).toFixed(3)),
  };
}

async function main(): Promise<void> {
  const jm = await startBenchCluster(1);
  try {
    const numberKeys = await measure(jm, 'number');
    const stringKeys = await measure(jm, 'string');
    printReport({
      bench: 'pipeline',
      figures: { records: RECORDS, keys: KEYS, numberKeys, stringKeys },
      ratios: { pipelineOverLoop_numberKeys: numberKeys.ratio, pipelineOverLoop_stringKeys: stringKeys.ratio },
      targets: {
        pipelineOverLoop_numberKeys: { target: '>= 0.40', met: numberKeys.ratio >= 0.4 },
        pipelineOverLoop_stringKeys: { target: '>= 0.40', met: stringKeys.ratio >= 0.4 },
      },
    });
  } finally {
    await stopAllProcesses();
  }
}

await main();
