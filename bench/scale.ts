import { startJobManager, startTaskManagerSimulator, stopAllProcesses, type StartedJobManager, type TaskManagerSimulator } from '@rivulet/testing';
import { processCpuMs, sleep, submitDetached } from './lib/checkpoint-cluster.js';
import { printReport } from './lib/report.js';

/**
 * One JobManager (a real process) driving simulated TaskManagers
 * (`startTaskManagerSimulator`: real gRPC servers and clients, the real
 * protocol, no user code, acknowledgements at once), at several sizes:
 *
 * - heartbeats: the JobManager's CPU share with every TaskManager registered and
 *   heartbeating (heartbeat.interval 1 s), no job;
 * - deployment: a job of 2 x SLOTS/2 x TaskManagers subtasks (source -> map, rescale:
 *   regions of two), from the job's start time to every subtask RUNNING;
 * - checkpoint coordination: JobManager CPU per completed checkpoint (trigger to
 *   complete, the TaskManagers acknowledging at once), above the heartbeat share;
 * - failover: 5% of the TaskManagers crash; from the crash to every subtask RUNNING.
 *
 * Targets (issue: 1,000 TaskManagers, 10,000 subtasks): deployment < 2 s,
 * checkpoint < 200 ms of JobManager CPU, heartbeats < 10% of a core, failover < 2 s.
 * BENCH_SIZES (TaskManager counts, default 100,1000), BENCH_SLOTS (default 10),
 * BENCH_WINDOW_MS (measurement windows, default 10000).
 */
const SIZES = (process.env['BENCH_SIZES'] ?? '100,1000').split(',').map(Number);
const SLOTS = Number(process.env['BENCH_SLOTS'] ?? 10);
const WINDOW_MS = Number(process.env['BENCH_WINDOW_MS'] ?? 10_000);
const CHECKPOINT_INTERVAL_MS = 1000;

interface SizeFigures {
  readonly taskManagers: number;
  readonly subtasks: number;
  readonly registrationMs: number;
  readonly heartbeatCoreShare: number;
  readonly deploymentMs: number;
  readonly checkpointJobManagerCpuMs: number | null;
  readonly checkpointsInWindow: number;
  readonly failoverMs: number;
  readonly lostTaskManagers: number;
}

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()) as T;
}

async function runningSubtasks(jm: StartedJobManager, jobId: string): Promise<number> {
  const details = await json<{ vertices: { tasks: Record<string, number> }[] }>(`${jm.restUrl}/jobs/${jobId}`);
  return details.vertices.reduce((sum, v) => sum + (v.tasks['RUNNING'] ?? 0), 0);
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return Date.now();
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

async function completedCheckpoints(jm: StartedJobManager, jobId: string): Promise<number> {
  return (await json<{ counts: { completed: number } }>(`${jm.restUrl}/jobs/${jobId}/checkpoints`)).counts.completed;
}

async function measureSize(taskManagers: number): Promise<SizeFigures> {
  const jm = await startJobManager({ set: ['heartbeat.interval=1000', 'heartbeat.timeout=5000'] });
  let simulator: TaskManagerSimulator | undefined;
  try {
    const registering = performance.now();
    simulator = await startTaskManagerSimulator({ jobManager: jm.rpcAddress, taskManagers, slotsPerTaskManager: SLOTS, startTimeoutMs: 600_000 });
    const registrationMs = Math.round(performance.now() - registering);
    await sleep(2000);
    const pid = jm.daemon.pid;
    const idleCpu0 = processCpuMs(pid);
    const idleWall0 = performance.now();
    await sleep(WINDOW_MS);
    const heartbeatCoreShare = (processCpuMs(pid) - idleCpu0) / (performance.now() - idleWall0);

    const parallelism = Math.floor((taskManagers * SLOTS) / 2);
    const subtasks = 2 * parallelism;
    const jobId = await submitDetached(jm, 'scale-job', parallelism, [], [`execution.checkpointing.interval=${CHECKPOINT_INTERVAL_MS}`, `pipeline.max-parallelism=${Math.max(128, parallelism)}`]);
    const overview = await json<{ jobs: { jid: string; 'start-time': number }[] }>(`${jm.restUrl}/jobs/overview`);
    const startTime = overview.jobs.find((j) => j.jid === jobId)?.['start-time'] ?? Date.now();
    const allRunning = await until('every subtask RUNNING', 600_000, async () => (await runningSubtasks(jm, jobId)) === subtasks);
    const deploymentMs = allRunning - startTime;

    await until('a first completed checkpoint', 120_000, async () => (await completedCheckpoints(jm, jobId)) >= 1);
    const cp0 = await completedCheckpoints(jm, jobId);
    const cpu0 = processCpuMs(pid);
    const wall0 = performance.now();
    await sleep(WINDOW_MS);
    const cp1 = await completedCheckpoints(jm, jobId);
    const cpu1 = processCpuMs(pid);
    const windowMs = performance.now() - wall0;
    const checkpointsInWindow = cp1 - cp0;
    const checkpointJobManagerCpuMs = checkpointsInWindow > 0 ? Math.round((cpu1 - cpu0 - heartbeatCoreShare * windowMs) / checkpointsInWindow) : null;

    const lost = simulator.resourceIds.slice(0, Math.max(1, Math.round(taskManagers / 20)));
    const killedAt = Date.now();
    await simulator.kill(lost);
    await until('subtasks of the lost TaskManagers to leave RUNNING', 60_000, async () => (await runningSubtasks(jm, jobId)) < subtasks);
    const recovered = await until('every subtask RUNNING after the loss', 600_000, async () => (await runningSubtasks(jm, jobId)) === subtasks);
    return {
      taskManagers,
      subtasks,
      registrationMs,
      heartbeatCoreShare: Number(heartbeatCoreShare.toFixed(4)),
      deploymentMs,
      checkpointJobManagerCpuMs,
      checkpointsInWindow,
      failoverMs: recovered - killedAt,
      lostTaskManagers: lost.length,
    };
  } finally {
    await simulator?.stop();
    await stopAllProcesses();
  }
}

async function main(): Promise<void> {
  const sizes: SizeFigures[] = [];
  for (const size of SIZES) sizes.push(await measureSize(size));
  const growth = (key: 'deploymentMs' | 'heartbeatCoreShare' | 'failoverMs' | 'checkpointJobManagerCpuMs'): number[] =>
    sizes.slice(1).map((s, i) => {
      const before = sizes[i]!;
      const doublings = Math.log2(s.taskManagers / before.taskManagers);
      const a = before[key] ?? NaN;
      const b = s[key] ?? NaN;
      return Number((Math.pow(b / a, 1 / doublings)).toFixed(3));
    });
  const at1000 = sizes.find((s) => s.taskManagers === 1000);
  printReport({
    bench: 'scale',
    figures: { slotsPerTaskManager: SLOTS, windowMs: WINDOW_MS, checkpointIntervalMs: CHECKPOINT_INTERVAL_MS, sizes },
    ratios: Object.fromEntries([
      ...growth('deploymentMs').map((g, i) => [`deploymentGrowthPerDoubling_${SIZES[i]}to${SIZES[i + 1]}`, g]),
      ...growth('checkpointJobManagerCpuMs').map((g, i) => [`checkpointCpuGrowthPerDoubling_${SIZES[i]}to${SIZES[i + 1]}`, g]),
      ...growth('heartbeatCoreShare').map((g, i) => [`heartbeatGrowthPerDoubling_${SIZES[i]}to${SIZES[i + 1]}`, g]),
      ...growth('failoverMs').map((g, i) => [`failoverGrowthPerDoubling_${SIZES[i]}to${SIZES[i + 1]}`, g]),
    ]),
    ...(at1000 ? {
      targets: {
        deploymentUnder2s: { target: '< 2000 ms at 1,000 TaskManagers', met: at1000.deploymentMs < 2000 },
        checkpointUnder200msCpu: { target: '< 200 ms JobManager CPU', met: at1000.checkpointJobManagerCpuMs !== null && at1000.checkpointJobManagerCpuMs < 200 },
        heartbeatsUnder10Percent: { target: '< 0.10 of a core', met: at1000.heartbeatCoreShare < 0.1 },
        failoverUnder2s: { target: '< 2000 ms', met: at1000.failoverMs < 2000 },
      },
    } : {}),
  });
}

await main();
