import { createTestPki } from '@rivulet/testing';
import { measureRawCeiling } from './lib/raw-ceiling.js';
import { printReport } from './lib/report.js';
import { runBenchJob, startBenchCluster, stopAllProcesses, type BenchJobManager, type JobTiming } from './lib/cluster-job.js';
import { freshConnectionCallMs, median, registrationMs, tlsMaterialOf } from './lib/tls-costs.js';

/**
 * Keyed word count, parallelism 2 across 2 TaskManagers (one slot each, one
 * process per core), records/s per core; against the raw ceiling of
 * serialize + send + deserialize of the same records on one core over
 * loopback, measured in the same run.
 * Targets: >= 1M records/s per core and >= 50% of the ceiling.
 *
 * The same job on a second cluster with internal mutual TLS (docs/security.md),
 * runs alternating between the two so both see the same load: TLS
 * throughput must be >= 85% of plaintext. Also what TLS adds to a fresh
 * gRPC connection (the handshake), to a TaskManager's registration and to a
 * small job from creation to its end (deployment and data connections).
 */
const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 20_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
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

const args = (records: number): string[] => ['--records', String(records), '--vocabulary', String(VOCABULARY)];

/**
 * CREATED -> FINISHED of a job of 10,000 records: its scheduling, its
 * deployment, its data connections (the TLS handshakes) and a run too short
 * to matter. Median ms.
 */
async function deploymentMs(jm: BenchJobManager, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push((await runBenchJob(jm, 'shuffle-job', 2, args(10_000))).totalMs);
  return median(times);
}

async function main(): Promise<void> {
  const ceilingRate = await ceiling();
  const pki = createTestPki('bench');
  const tlsSettings = (name: string): string[] => pki.internalTlsSettings(name);
  const plain = await startBenchCluster(2);
  const secured = await startBenchCluster(2, 1, tlsSettings('node'));
  try {
    await runBenchJob(plain, 'shuffle-job', 2, args(1_000_000)); // warm-up
    await runBenchJob(secured, 'shuffle-job', 2, args(1_000_000));
    const plainRuns: JobTiming[] = [];
    const tlsRuns: JobTiming[] = [];
    for (let i = 0; i < RUNS; i++) {
      plainRuns.push(await runBenchJob(plain, 'shuffle-job', 2, args(RECORDS)));
      tlsRuns.push(await runBenchJob(secured, 'shuffle-job', 2, args(RECORDS)));
    }
    const perCoreOf = (runs: readonly JobTiming[]): number => RECORDS / (Math.min(...runs.map((r) => r.runningMs)) / 1000) / CORES;
    const perCore = perCoreOf(plainRuns);
    const tlsPerCore = perCoreOf(tlsRuns);
    const handshake = {
      plaintext: await freshConnectionCallMs(plain, undefined, 50),
      tls: await freshConnectionCallMs(secured, tlsMaterialOf(pki, 'bench-client'), 50),
    };
    const registration = {
      plaintext: await registrationMs(plain, [], 2, 3),
      tls: await registrationMs(secured, tlsSettings('node'), 2, 3),
    };
    const deployment = { plaintext: await deploymentMs(plain, 5), tls: await deploymentMs(secured, 5) };
    const tlsOverPlain = tlsPerCore / perCore;
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
        jobRunsMs: plainRuns.map((r) => r.runningMs),
        internalTls: {
          recordsPerSecondPerCore: Math.round(tlsPerCore),
          jobRunsMs: tlsRuns.map((r) => r.runningMs),
          freshConnectionCallMedianMs: { plaintext: round(handshake.plaintext), tls: round(handshake.tls), added: round(handshake.tls - handshake.plaintext) },
          registrationMedianMs: { plaintext: round(registration.plaintext), tls: round(registration.tls), added: round(registration.tls - registration.plaintext) },
          smallJobCreatedToFinishedMedianMs: { plaintext: round(deployment.plaintext), tls: round(deployment.tls), added: round(deployment.tls - deployment.plaintext) },
        },
      },
      ratios: { perCoreOverCeiling: Number((perCore / ceilingRate).toFixed(3)), tlsOverPlaintext: Number(tlsOverPlain.toFixed(3)) },
      targets: {
        perCore: { target: '>= 1,000,000 records/s per core', met: perCore >= 1_000_000 },
        perCoreOverCeiling: { target: '>= 0.50', met: perCore / ceilingRate >= 0.5 },
        tlsOverPlaintext: { target: '>= 0.85 (internal mutual TLS)', met: tlsOverPlain >= 0.85 },
      },
    });
  } finally {
    await stopAllProcesses();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

await main();
