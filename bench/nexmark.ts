import { processCpuMs } from './lib/checkpoint-cluster.js';
import { startBenchCluster, stopAllProcesses, type BenchJobManager } from './lib/cluster-job.js';
import { loadAverage } from './lib/heartbeat-metrics.js';
import { checkQuery, type CheckResult } from './lib/nexmark/check.js';
import { FLINK_EVENTS_PER_SECOND_PER_CORE, STATELESS_QUERIES } from './lib/nexmark/flink-figures.js';
import { QUERY_NAMES, nexmarkQuery, type NexmarkQueryName } from './lib/nexmark/queries/index.js';
import { runNexmarkQuery } from './lib/nexmark/run-query.js';
import { printReport } from './lib/report.js';

/**
 * Nexmark on Rivulet: for each query, events/s per core over a fixed number
 * of events, against the generator alone (source + timestamps into a
 * discarding sink) measured in the same run as the ceiling. Each query is
 * first checked on a small input against a reference computed here; a query
 * that fails its check gets no figure. Parallelism P on P TaskManagers of one
 * slot each (one process per core); per core = events / running time / P.
 * Targets: q0–q2 >= 2x Flink's published figure per core, the others >= 1x.
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 2_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const PARALLELISM = Number(process.env['BENCH_PARALLELISM'] ?? 2);
const EVENT_RATE = Number(process.env['BENCH_EVENT_RATE'] ?? 100_000);
const OUT_OF_ORDER_GROUP = Number(process.env['BENCH_OUT_OF_ORDER_GROUP'] ?? 1);
const WATERMARK_MS = Number(process.env['BENCH_WATERMARK_MS'] ?? 4_000);
const CHECK_EVENTS = Number(process.env['BENCH_CHECK_EVENTS'] ?? 5_000);
const CHECK_EVENT_RATE = Number(process.env['BENCH_CHECK_EVENT_RATE'] ?? 200);
const CHECK_OUT_OF_ORDER_GROUP = 20;
const CHECK_WATERMARK_MS = 1_000;

function selectedQueries(): NexmarkQueryName[] {
  const list = process.env['BENCH_QUERIES'];
  const names = list === undefined || list.trim() === '' ? QUERY_NAMES : list.split(',').map((q) => q.trim());
  for (const name of names) nexmarkQuery(name); // a clear error for an unknown name
  const queries = names.filter((q): q is NexmarkQueryName => q !== 'generator');
  return ['generator', ...queries];
}

function requirePositiveInteger(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 1)) throw new Error(`nexmark bench: ${name} must be an integer >= 1, not ${value}`);
}

interface QueryFigures {
  check?: CheckResult;
  runsMs: number[];
  cpuMs: number[];
  eventsPerSecondPerCore?: number;
  eventsPerCpuSecond?: number;
}

function taskManagersCpuMs(cluster: BenchJobManager): number {
  return cluster.taskManagers.reduce((sum, tm) => sum + processCpuMs(tm.daemon.pid), 0);
}

async function measure(cluster: BenchJobManager, query: NexmarkQueryName, events: number, figures?: QueryFigures): Promise<void> {
  const cpuBefore = taskManagersCpuMs(cluster);
  const run = await runNexmarkQuery(cluster, {
    query, events, parallelism: PARALLELISM, eventsPerSecond: EVENT_RATE, outOfOrderGroupSize: OUT_OF_ORDER_GROUP, watermarkMs: WATERMARK_MS, sink: 'discard',
  });
  const cpuMs = taskManagersCpuMs(cluster) - cpuBefore;
  if (figures === undefined) return; // warm-up
  figures.runsMs.push(run.runningMs);
  figures.cpuMs.push(Math.round(cpuMs));
  process.stderr.write(`${query}: ${events} events in ${run.runningMs} ms, ${Math.round(cpuMs)} ms TaskManager CPU\n`);
}

async function main(): Promise<void> {
  for (const [name, value] of [['BENCH_EVENTS', EVENTS], ['BENCH_RUNS', RUNS], ['BENCH_PARALLELISM', PARALLELISM], ['BENCH_CHECK_EVENTS', CHECK_EVENTS]] as const) requirePositiveInteger(name, value);
  const queries = selectedQueries();
  const loadAverageBefore = await loadAverage();
  const cluster = await startBenchCluster(PARALLELISM, 1);
  try {
    const results = new Map<NexmarkQueryName, QueryFigures>(queries.map((q) => [q, { runsMs: [], cpuMs: [] }]));
    for (const query of queries) {
      const check = await checkQuery(cluster, query, {
        events: CHECK_EVENTS, parallelism: PARALLELISM, eventsPerSecond: CHECK_EVENT_RATE, outOfOrderGroupSize: CHECK_OUT_OF_ORDER_GROUP, watermarkMs: CHECK_WATERMARK_MS,
      });
      results.get(query)!.check = check;
      process.stderr.write(`${query}: check ${check.passed ? 'passed' : 'FAILED'} (${check.actualRows} rows, expected ${check.expectedRows})\n`);
    }
    const measured = queries.filter((q) => results.get(q)!.check!.passed);
    for (const query of measured) await measure(cluster, query, Math.max(1, Math.round(EVENTS / 10)));
    for (let i = 0; i < RUNS; i++) {
      // Every round runs the ceiling and each query once, so drift in the machine's load hits them alike.
      for (const query of measured) await measure(cluster, query, EVENTS, results.get(query));
    }
    for (const query of measured) {
      const figures = results.get(query)!;
      figures.eventsPerSecondPerCore = Math.round(EVENTS / (Math.min(...figures.runsMs) / 1000) / PARALLELISM);
      figures.eventsPerCpuSecond = Math.round(EVENTS / (Math.min(...figures.cpuMs) / 1000));
    }
    const ceiling = results.get('generator')!.eventsPerSecondPerCore;
    const ratios: Record<string, number> = {};
    const targets: Record<string, { target: string; met: boolean }> = {};
    for (const query of queries) {
      if (query === 'generator') continue;
      const perCore = results.get(query)!.eventsPerSecondPerCore;
      if (perCore !== undefined && ceiling !== undefined) ratios[`${query}OverCeiling`] = Number((perCore / ceiling).toFixed(3));
      const flink = FLINK_EVENTS_PER_SECOND_PER_CORE[query];
      if (flink === undefined) continue;
      const factor = STATELESS_QUERIES.has(query) ? 2 : 1;
      if (perCore !== undefined) ratios[`${query}OverFlinkPerCore`] = Number((perCore / flink).toFixed(3));
      targets[`${query}PerCore`] = {
        target: `>= ${factor === 2 ? '2x ' : ''}Flink's ${flink.toLocaleString('en-US')} events/s per core (${(factor * flink).toLocaleString('en-US')}), correctness check passed`,
        met: perCore !== undefined && perCore >= factor * flink,
      };
    }
    printReport({
      bench: 'nexmark',
      figures: {
        events: EVENTS,
        parallelism: PARALLELISM,
        taskManagers: PARALLELISM,
        eventsPerSecondOfEventTime: EVENT_RATE,
        outOfOrderGroupSize: OUT_OF_ORDER_GROUP,
        watermarkOutOfOrdernessMs: WATERMARK_MS,
        checkEvents: CHECK_EVENTS,
        checkEventsPerSecondOfEventTime: CHECK_EVENT_RATE,
        queries: Object.fromEntries(results),
        flinkEventsPerSecondPerCore: FLINK_EVENTS_PER_SECOND_PER_CORE,
        loadAverageBefore,
        loadAverageAfter: await loadAverage(),
      },
      ratios,
      targets,
    });
  } finally {
    await stopAllProcesses();
  }
}

await main();
