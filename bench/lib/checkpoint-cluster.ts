/**
 * Helpers for the checkpoint benchmarks: a cluster whose daemons checkpoint to
 * a given directory (S3 on an s3rver process, or a local folder), jobs
 * submitted detached with job settings, and the checkpoint statistics of the
 * JobManager's REST API (Flink's shape).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REPO_ROOT,
  parsePrometheusText,
  processStatFields,
  runCli,
  s3rverSettings,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type DaemonProcess,
  type StartedJobManager,
  type StartedS3Server,
  type StartedTaskManager,
} from '@rivulet/testing';

/** `-D` settings that make daemons checkpoint to `s3://bucket/prefix` on `s3`. */
export function s3CheckpointSettings(s3: Pick<StartedS3Server, 'endpoint' | 'accessKey' | 'secretKey' | 'region'>, bucket: string, prefix: string): string[] {
  return [
    `execution.checkpointing.dir=s3://${bucket}/${prefix}`,
    ...s3rverSettings(s3),
    `s3.region=${s3.region}`,
  ];
}

export interface BenchCluster extends StartedJobManager {
  readonly taskManagers: readonly StartedTaskManager[];
  /** The TaskManagers' `taskmanager.tmp.dirs` (their job-bundle caches): remove it after stopping them. */
  readonly tmpDir: string;
}

/**
 * A JobManager and `taskManagers` TaskManagers (one slot each) started with
 * `settings` as `-D key=value`. The TaskManagers cache job bundles in a fresh
 * temporary folder (they leave `rivulet-taskmanager-<pid>` behind otherwise).
 */
export async function startConfiguredCluster(taskManagers: number, settings: readonly string[]): Promise<BenchCluster> {
  const tmpDir = mkdtempSync(join(tmpdir(), 'rivulet-bench-tm-'));
  try {
    const jm = await startJobManager({ set: settings });
    const tms: StartedTaskManager[] = [];
    const tmSettings = [...settings, `taskmanager.tmp.dirs=${tmpDir}`];
    for (let i = 0; i < taskManagers; i++) tms.push(await startTaskManager(jm.rpcAddress, { slots: 1, name: `tm${i}`, set: tmSettings }));
    await waitFor(async () => ((await (await fetch(`${jm.restUrl}/overview`)).json()) as { taskmanagers: number }).taskmanagers === taskManagers, {
      timeoutMs: 20_000,
      what: `${taskManagers} TaskManagers`,
    });
    return { ...jm, taskManagers: tms, tmpDir };
  } catch (err) {
    await stopAllProcesses();
    rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  }
}

/** The last lines a daemon wrote to stderr and its last warnings/errors, for a failure message. */
export function describeDaemon(daemon: DaemonProcess, lines = 15): string {
  const problems = daemon.logs.filter((entry) => typeof entry['level'] === 'number' && (entry['level'] as number) >= 40).slice(-5);
  return [
    `${daemon.name} (pid ${daemon.pid}, ${daemon.running ? 'running' : `exited ${String(daemon.child.exitCode ?? daemon.child.signalCode)}`})`,
    ...problems.map((entry) => `  log: ${JSON.stringify(entry).slice(0, 600)}`),
    ...daemon.stderr.slice(-lines).map((line) => `  stderr: ${line}`),
  ].join('\n');
}

/** `rivulet run bench/jobs/NAME.ts --detached`, with job settings `--set key=value`; the job id. */
export async function submitDetached(
  jm: StartedJobManager,
  name: string,
  parallelism: number,
  args: readonly string[],
  jobSettings: readonly string[] = [],
): Promise<string> {
  const job = join(REPO_ROOT, 'bench', 'jobs', `${name}.ts`);
  const result = await runCli(
    ['run', job, '--jobmanager', jm.rpcAddress, '-p', String(parallelism), '--detached', '--output', 'json', ...jobSettings.flatMap((s) => ['--set', s]), '--', ...args],
    { timeoutMs: 120_000 },
  );
  if (result.code !== 0) throw new Error(`submitting bench job ${name} failed: ${result.stderr.trim()}`);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

export async function cancelJob(jm: StartedJobManager, jobId: string): Promise<void> {
  await runCli(['cancel', jobId, '--jobmanager', jm.rpcAddress], { timeoutMs: 30_000 });
}

export interface CheckpointEntry {
  readonly id: number;
  readonly status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  readonly is_savepoint: boolean;
  readonly trigger_timestamp: number;
  readonly latest_ack_timestamp: number;
  readonly end_to_end_duration: number;
  readonly state_size: number;
  readonly failure_message?: string;
}

export interface CheckpointStatistics {
  readonly counts: { total: number; in_progress: number; completed: number; failed: number };
  readonly history: readonly CheckpointEntry[];
}

/** `GET /jobs/:id/checkpoints`. */
export async function checkpointStatistics(jm: StartedJobManager, jobId: string): Promise<CheckpointStatistics> {
  const response = await fetch(`${jm.restUrl}/jobs/${jobId}/checkpoints`);
  if (!response.ok) throw new Error(`GET /jobs/${jobId}/checkpoints answered ${response.status}`);
  return (await response.json()) as CheckpointStatistics;
}

/** `GET /jobs/:id`: the job's state. */
export async function jobState(jm: StartedJobManager, jobId: string): Promise<string> {
  const response = await fetch(`${jm.restUrl}/jobs/${jobId}`);
  return ((await response.json()) as { state: string }).state;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface JobRun {
  readonly jobId: string;
  /** RUNNING -> FINISHED on the JobManager (CLI bundling and scheduling not counted). */
  readonly runningMs: number;
  /** When the job FINISHED, epoch ms on the JobManager's clock. */
  readonly finishedAt: number;
  readonly state: string;
  readonly checkpoints: CheckpointStatistics | undefined;
}

/** `rivulet run bench/jobs/NAME.ts --output json` to the job's end, with job settings `--set key=value`. */
export async function runJobToEnd(
  jm: StartedJobManager,
  name: string,
  parallelism: number,
  args: readonly string[],
  jobSettings: readonly string[] = [],
): Promise<JobRun> {
  const job = join(REPO_ROOT, 'bench', 'jobs', `${name}.ts`);
  const result = await runCli(
    ['run', job, '--jobmanager', jm.rpcAddress, '-p', String(parallelism), '--output', 'json', ...jobSettings.flatMap((s) => ['--set', s]), '--', ...args],
    { timeoutMs: 600_000 },
  );
  if (result.code !== 0) throw new Error(`bench job ${name} failed (exit ${result.code}): ${result.stderr.trim()} ${failureOf(result.stdout)}`);
  const details = JSON.parse(result.stdout) as { jid: string; state: string; timestamps: Record<string, number>; checkpoints?: CheckpointStatistics };
  const running = details.timestamps['RUNNING'];
  const finished = details.timestamps['FINISHED'];
  if (running === undefined || finished === undefined) throw new Error(`bench job ${name} has no RUNNING/FINISHED timestamps`);
  return { jobId: details.jid, runningMs: finished - running, finishedAt: finished, state: details.state, checkpoints: details.checkpoints };
}

/**
 * The longest event-loop delay of a TaskManager since the previous call, in ms
 * (prom-client's `nodejs_eventloop_lag_max_seconds`, which resets on every
 * scrape): how long the TaskManager could not run anything else.
 */
export async function takeMaxEventLoopLagMs(tm: StartedTaskManager): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${tm.httpPort}/metrics`)).text();
  const family = parsePrometheusText(text).find((f) => f.name === 'rivulet_taskmanager_nodejs_eventloop_lag_max_seconds');
  return Math.round(Number(family?.metrics[0]?.value ?? NaN) * 1000);
}

/** What `run --output json` printed about a job that did not finish: its state, root exception and failed checkpoints. */
function failureOf(stdout: string): string {
  try {
    const details = JSON.parse(stdout) as { state?: string; 'root-exception'?: string; checkpoints?: CheckpointStatistics };
    const failed = (details.checkpoints?.history ?? []).filter((c) => c.status === 'FAILED').map((c) => `checkpoint ${c.id}: ${c.failure_message ?? '?'}`);
    return [`state ${details.state ?? '?'}`, details['root-exception'] ?? '', ...failed].filter(Boolean).join('; ');
  } catch {
    return stdout.trim().slice(0, 2000);
  }
}

let clockTicks: number | undefined;

/**
 * CPU time (user + system) a process has used so far, in ms, from
 * /proc/PID/stat (Linux). Unlike wall-clock time it hardly moves when other
 * work shares the cores, so it shows a per-record cost through the noise.
 */
export function processCpuMs(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const fields = processStatFields(pid);
  if (fields === undefined) throw new Error(`cannot read /proc/${pid}/stat`);
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}
