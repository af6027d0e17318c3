import { join } from 'node:path';
import {
  REPO_ROOT,
  runCli,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

export interface JobTiming {
  readonly runningMs: number;
  readonly state: string;
}

export interface BenchJobManager extends StartedJobManager {
  readonly taskManagers: readonly StartedTaskManager[];
}

/**
 * Starts a JobManager and `taskManagers` TaskManagers with `slotsPerTaskManager`
 * slots each (default 1: one process per core), as real processes, with
 * `settings` as `-D key=value` on every daemon; resolves once every slot is registered.
 */
export async function startBenchCluster(taskManagers: number, slotsPerTaskManager = 1, settings: readonly string[] = []): Promise<BenchJobManager> {
  const jm = await startJobManager({ set: settings });
  const tms: StartedTaskManager[] = [];
  for (let i = 0; i < taskManagers; i++) tms.push(await startTaskManager(jm.rpcAddress, { slots: slotsPerTaskManager, name: `tm${i}`, set: settings }));
  const slots = taskManagers * slotsPerTaskManager;
  await waitFor(async () => {
    const overview = (await (await fetch(`${jm.restUrl}/overview`)).json()) as { taskmanagers: number; 'slots-total': number };
    return overview.taskmanagers === taskManagers && overview['slots-total'] === slots;
  }, {
    timeoutMs: 20_000,
    what: `${taskManagers} TaskManagers with ${slots} slots`,
  });
  return { ...jm, taskManagers: tms };
}

/**
 * Runs bench/jobs/NAME.ts to its end and returns how long the job ran
 * (RUNNING -> FINISHED on the JobManager, so CLI bundling is not counted).
 */
export async function runBenchJob(jm: StartedJobManager, name: string, parallelism: number, args: string[]): Promise<JobTiming> {
  const job = join(REPO_ROOT, 'bench', 'jobs', `${name}.ts`);
  const result = await runCli(['run', job, '--jobmanager', jm.rpcAddress, '-p', String(parallelism), '--output', 'json', '--', ...args], { timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`bench job ${name} failed: ${result.stderr.trim()}`);
  const details = JSON.parse(result.stdout) as { state: string; timestamps: Record<string, number> };
  const running = details.timestamps['RUNNING'];
  const finished = details.timestamps['FINISHED'];
  if (running === undefined || finished === undefined) throw new Error(`bench job ${name} has no RUNNING/FINISHED timestamps`);
  return { runningMs: finished - running, state: details.state };
}

export { stopAllProcesses };
