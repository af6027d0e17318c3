import { join } from 'node:path';
import { REPO_ROOT, runCli, startJobManager, startTaskManager, stopAllProcesses, waitFor, type StartedJobManager } from '@rivulet/testing';

export interface JobTiming {
  readonly runningMs: number;
  readonly state: string;
}

/** Starts a JobManager and `taskManagers` TaskManagers with one slot each, as real processes. */
export async function startBenchCluster(taskManagers: number): Promise<StartedJobManager> {
  const jm = await startJobManager();
  for (let i = 0; i < taskManagers; i++) await startTaskManager(jm.rpcAddress, { slots: 1, name: `tm${i}` });
  await waitFor(async () => ((await (await fetch(`${jm.restUrl}/overview`)).json()) as { taskmanagers: number }).taskmanagers === taskManagers, {
    timeoutMs: 20_000,
    what: `${taskManagers} TaskManagers`,
  });
  return jm;
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
