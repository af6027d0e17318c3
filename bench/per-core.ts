import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { processCpuMs } from './lib/checkpoint-cluster.js';
import { printReport } from './lib/report.js';

/**
 * Per-core throughput of this build against another built checkout (the
 * "before" of a change), in one run: the pipeline job (source -> map ->
 * filter -> keyed reduce, parallelism 1) on one TaskManager, run at two
 * sizes on each build, alternating builds. The figure is the TaskManager's
 * CPU (all its threads, from /proc) per record of the difference between the
 * two sizes, so a job's fixed costs (deployment, a slot thread's start) and
 * the machine's other load (which stretches wall time, much less CPU time)
 * stay out of it. Ratio: records per CPU-second of this build over the
 * other's; issue 12's target is >= 0.9.
 *
 *   BENCH_BASELINE=/path/to/built/checkout pnpm bench per-core
 *
 * The other checkout needs `pnpm install` and `pnpm run build` (its
 * bench/dist/lib/cluster-job.js starts its own daemons).
 * BENCH_SMALL / BENCH_LARGE (records, default 2M / 12M), BENCH_ROUNDS
 * (default 3), BENCH_KEY_TYPE (number | string).
 */
const SMALL = Number(process.env['BENCH_SMALL'] ?? 2_000_000);
const LARGE = Number(process.env['BENCH_LARGE'] ?? 12_000_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const KEY_TYPE = process.env['BENCH_KEY_TYPE'] ?? 'number';
const KEYS = 1000;

interface ClusterModule {
  startBenchCluster(taskManagers: number): Promise<{ rpcAddress: string }>;
  runBenchJob(jm: unknown, name: string, parallelism: number, args: string[]): Promise<{ runningMs: number }>;
  stopAllProcesses(): Promise<void>;
}

interface Sample {
  readonly records: number;
  readonly cpuMs: number;
  readonly wallMs: number;
}

function baselineRoot(): string {
  const given = process.env['BENCH_BASELINE'];
  if (!given) throw new Error('BENCH_BASELINE is not set: give the folder of a built checkout to compare with (pnpm install && pnpm run build there)');
  const root = resolve(given);
  const module = join(root, 'bench', 'dist', 'lib', 'cluster-job.js');
  if (!existsSync(module)) throw new Error(`BENCH_BASELINE=${given}: ${module} does not exist; run pnpm install && pnpm run build in that checkout`);
  return root;
}

/** The TaskManager this process started: a child whose command line runs `taskmanager`. */
function taskManagerPid(): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('taskmanager')) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  throw new Error('no TaskManager among this process\'s children');
}

async function measure(root: string): Promise<Sample[]> {
  const cluster = (await import(pathToFileURL(join(root, 'bench', 'dist', 'lib', 'cluster-job.js')).href)) as ClusterModule;
  const jm = await cluster.startBenchCluster(1);
  try {
    const pid = taskManagerPid();
    const args = (records: number): string[] => ['--records', String(records), '--keys', String(KEYS), '--key-type', KEY_TYPE];
    await cluster.runBenchJob(jm, 'pipeline-job', 1, args(1_000_000)); // warm-up
    const samples: Sample[] = [];
    for (const records of [SMALL, LARGE]) {
      const before = processCpuMs(pid);
      const run = await cluster.runBenchJob(jm, 'pipeline-job', 1, args(records));
      samples.push({ records, cpuMs: processCpuMs(pid) - before, wallMs: run.runningMs });
    }
    return samples;
  } finally {
    await cluster.stopAllProcesses();
  }
}

/** CPU ns per record of the records the large run has over the small one. */
function marginalNs(samples: readonly Sample[], key: 'cpuMs' | 'wallMs'): number {
  const small = samples.find((s) => s.records === SMALL)!;
  const large = samples.find((s) => s.records === LARGE)!;
  return ((large[key] - small[key]) * 1e6) / (LARGE - SMALL);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  if (!(LARGE > SMALL && SMALL > 0)) throw new Error(`BENCH_LARGE (${LARGE}) must be above BENCH_SMALL (${SMALL}) > 0`);
  const baseline = baselineRoot();
  const current = resolve(import.meta.dirname, '..', '..');
  const rounds: { baselineNs: number; currentNs: number; baselineWallNs: number; currentWallNs: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = await measure(baseline);
    const after = await measure(current);
    rounds.push({
      baselineNs: Math.round(marginalNs(before, 'cpuMs')),
      currentNs: Math.round(marginalNs(after, 'cpuMs')),
      baselineWallNs: Math.round(marginalNs(before, 'wallMs')),
      currentWallNs: Math.round(marginalNs(after, 'wallMs')),
    });
  }
  const ratios = rounds.map((r) => Number((r.baselineNs / r.currentNs).toFixed(3)));
  const ratio = median(ratios);
  printReport({
    bench: 'per-core',
    figures: { baseline, keyType: KEY_TYPE, smallRecords: SMALL, largeRecords: LARGE, rounds, ratiosPerRound: ratios },
    ratios: { recordsPerCpuSecond_currentOverBaseline: ratio },
    targets: { perCoreAtLeast90PercentOfBaseline: { target: '>= 0.9 (median of rounds)', met: ratio >= 0.9 } },
  });
}

await main();
