import { join } from 'node:path';
import {
  REPO_ROOT,
  runCli,
  settingsEnvironment,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

export interface JobTiming {
  readonly runningMs: number;
  /** CREATED -> FINISHED: scheduling, deployment, the data connections and the run. */
  readonly totalMs: number;
  readonly state: string;
}

export interface BenchJobManager extends StartedJobManager {
  readonly taskManagers: readonly StartedTaskManager[];
  /** The cluster's security settings as RIVULET_* variables, for the CLI that submits to it (internal TLS, token). */
  readonly cliEnv?: Readonly<Record<string, string>>;
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
  return { ...jm, taskManagers: tms, cliEnv: settingsEnvironment(settings.filter((pair) => pair.startsWith('security.'))) };
}

/**
 * Runs bench/jobs/NAME.ts to its end and returns how long the job ran
 * (RUNNING -> FINISHED on the JobManager, so CLI bundling is not counted).
 */
export async function runBenchJob(jm: StartedJobManager & { readonly cliEnv?: Readonly<Record<string, string>> }, name: string, parallelism: number, args: string[]): Promise<JobTiming> {
  const job = join(REPO_ROOT, 'bench', 'jobs', `${name}.ts`);
  const result = await runCli(['run', job, '--jobmanager', jm.rpcAddress, '-p', String(parallelism), '--output', 'json', '--', ...args], { timeoutMs: 600_000, env: { ...jm.cliEnv } });
  if (result.code !== 0) throw new Error(`bench job ${name} failed: ${result.stderr.trim()}`);
  const details = JSON.parse(result.stdout) as { state: string; timestamps: Record<string, number> };
  const running = details.timestamps['RUNNING'];
  const finished = details.timestamps['FINISHED'];
  if (running === undefined || finished === undefined) throw new Error(`bench job ${name} has no RUNNING/FINISHED timestamps`);
  const created = details.timestamps['CREATED'] ?? running;
  return { runningMs: finished - running, totalMs: finished - created, state: details.state };
}

export { stopAllProcesses };
