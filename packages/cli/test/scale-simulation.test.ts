import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT, startJobManager, startTaskManagerSimulator, stopAllProcesses, waitFor, type TaskManagerSimulator } from '@rivulet/testing';
import { JobManagerClient } from '../src/client.js';
import { bundleJob } from '../src/job/bundle-job.js';
import { compileJobBundle } from '../src/job/load-job.js';

/**
 * The JobManager driving many TaskManagers, proven by simulation: a real
 * JobManager process and simulated TaskManagers (real gRPC servers and
 * clients, the real protocol, no user code) packed into a few processes.
 */
const JOB = join(REPO_ROOT, 'bench', 'jobs', 'scale-job.ts');
const TASK_MANAGERS = Number(process.env['RIVULET_SCALE_TASK_MANAGERS'] ?? 100);
const SLOTS = 5;
/** Regions of two subtasks; TaskManagers' slots hold a region each, with spare slots for failover. */
const PARALLELISM = Math.floor((TASK_MANAGERS * SLOTS) / 2);
const LOST = Math.max(1, Math.round(TASK_MANAGERS / 20));

const simulators: TaskManagerSimulator[] = [];
after(async () => {
  await Promise.all(simulators.map((s) => s.stop()));
  await stopAllProcesses();
});

interface VertexDetails { readonly parallelism: number; readonly status: string; readonly tasks: Record<string, number> }
interface JobDetails { readonly state: string; readonly vertices: VertexDetails[] }
interface CheckpointCounts { readonly counts: { readonly completed: number; readonly failed: number } }

describe(`one JobManager, ${TASK_MANAGERS} simulated TaskManagers`, { timeout: 300_000 }, () => {
  test(`a job of ${2 * PARALLELISM} subtasks deploys, checkpoints, survives the loss of ${LOST} TaskManagers by region failover, and finishes`, async (t) => {
    const jobManager = await startJobManager({
      set: [
        'heartbeat.interval=1000',
        'heartbeat.timeout=4000',
        'execution.checkpointing.interval=500',
        'restart-strategy.type=fixed-delay',
        'restart-strategy.fixed-delay.attempts=10',
        'restart-strategy.fixed-delay.delay=100ms',
      ],
    });
    const simulator = await startTaskManagerSimulator({ jobManager: jobManager.rpcAddress, taskManagers: TASK_MANAGERS, slotsPerTaskManager: SLOTS });
    simulators.push(simulator);
    const bundle = await bundleJob(JOB);
    const graph = await compileJobBundle(JOB, bundle, { defaultParallelism: PARALLELISM, maxParallelism: Math.max(128, PARALLELISM), args: [] });
    const client = new JobManagerClient(jobManager.rpcAddress);
    const details = async (jobId: string): Promise<JobDetails> => (await (await fetch(`${jobManager.restUrl}/jobs/${jobId}`)).json()) as JobDetails;
    const checkpoints = async (jobId: string): Promise<CheckpointCounts> => (await (await fetch(`${jobManager.restUrl}/jobs/${jobId}/checkpoints`)).json()) as CheckpointCounts;
    const running = async (jobId: string): Promise<number> => (await details(jobId)).vertices.reduce((sum, v) => sum + (v.tasks['RUNNING'] ?? 0), 0);
    try {
      const submitted = performance.now();
      const { jobId } = await client.call('SubmitJob', { jobGraph: Buffer.from(JSON.stringify(graph)), bundle: Buffer.from(bundle), savepointPath: '', allowNonRestoredState: false, jobConfigJson: '{}' }, 60_000);
      await waitFor(async () => (await running(jobId)) === 2 * PARALLELISM, { timeoutMs: 120_000, intervalMs: 100, what: 'every subtask RUNNING' });
      t.diagnostic(`deployed ${2 * PARALLELISM} subtasks on ${TASK_MANAGERS} TaskManagers in ${Math.round(performance.now() - submitted)} ms`);
      assert.equal(await simulator.countTasks(), 2 * PARALLELISM, 'the simulated TaskManagers hold every subtask once');

      await waitFor(async () => ((await checkpoints(jobId)).counts.completed >= 3 ? true : undefined), { timeoutMs: 60_000, intervalMs: 200, what: '3 completed checkpoints' });

      // Kill TaskManagers that hold tasks; the JobManager must notice by heartbeat timeout and restart only their regions.
      const victims = simulator.resourceIds.slice(0, LOST);
      const before = (await checkpoints(jobId)).counts.completed;
      const killed = performance.now();
      await simulator.kill(victims);
      await waitFor(async () => ((await running(jobId)) < 2 * PARALLELISM ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'the lost TaskManagers\' subtasks to leave RUNNING' });
      await waitFor(async () => (await running(jobId)) === 2 * PARALLELISM, { timeoutMs: 60_000, intervalMs: 100, what: 'every subtask RUNNING again after the loss' });
      t.diagnostic(`lost ${LOST} TaskManagers: all RUNNING again ${Math.round(performance.now() - killed)} ms after the kill (a crash ends the heartbeat stream at once)`);
      assert.equal(await simulator.countTasks(), 2 * PARALLELISM, 'after failover, every subtask runs exactly once');
      await waitFor(async () => ((await checkpoints(jobId)).counts.completed >= before + 3 ? true : undefined), { timeoutMs: 60_000, intervalMs: 200, what: '3 more completed checkpoints after the failover' });

      simulator.endData(jobId);
      const state = await waitFor(async () => {
        const s = (await details(jobId)).state;
        return ['FINISHED', 'FAILED', 'CANCELED'].includes(s) ? s : undefined;
      }, { timeoutMs: 60_000, intervalMs: 200, what: 'the job to end' });
      assert.equal(state, 'FINISHED');
    } finally {
      client.close();
    }
  });
});
