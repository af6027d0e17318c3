import { join } from 'node:path';
import { REPO_ROOT, runCli, type StartedJobManager } from '@rivulet/testing';

export interface NexmarkRunSettings {
  readonly query: string;
  readonly events: number;
  readonly parallelism: number;
  readonly eventsPerSecond: number;
  readonly outOfOrderGroupSize: number;
  readonly watermarkMs: number;
  readonly sink: 'discard' | 'collect';
}

export interface NexmarkRun {
  /** RUNNING -> FINISHED on the JobManager (CLI bundling not counted). */
  readonly runningMs: number;
  /** What the collect sinks returned, by name (empty with the discarding sink). */
  readonly results: Record<string, unknown[]>;
}

/** Runs bench/jobs/nexmark-job.ts once to its end on the cluster. */
export async function runNexmarkQuery(jm: StartedJobManager, settings: NexmarkRunSettings): Promise<NexmarkRun> {
  const job = join(REPO_ROOT, 'bench', 'jobs', 'nexmark-job.ts');
  const args = [
    '--query', settings.query,
    '--events', String(settings.events),
    '--rate', String(settings.eventsPerSecond),
    '--out-of-order-group', String(settings.outOfOrderGroupSize),
    '--watermark-ms', String(settings.watermarkMs),
    '--sink', settings.sink,
  ];
  const result = await runCli(['run', job, '--jobmanager', jm.rpcAddress, '-p', String(settings.parallelism), '--output', 'json', '--', ...args], { timeoutMs: 900_000 });
  if (result.code !== 0) throw new Error(`nexmark ${settings.query} failed: ${result.stderr.trim()}`);
  const details = JSON.parse(result.stdout) as { timestamps: Record<string, number>; results?: Record<string, unknown[]> };
  const running = details.timestamps['RUNNING'];
  const finished = details.timestamps['FINISHED'];
  if (running === undefined || finished === undefined) throw new Error(`nexmark ${settings.query}: the job has no RUNNING/FINISHED timestamps`);
  return { runningMs: finished - running, results: details.results ?? {} };
}
