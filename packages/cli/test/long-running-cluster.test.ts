import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT, startCluster, stopAllProcesses, waitFor, type StartedCluster } from '@rivulet/testing';
import { JobManagerClient } from '../src/client.js';
import { bundleJob } from '../src/job/bundle-job.js';
import { compileJobBundle } from '../src/job/load-job.js';

/**
 * A cluster that runs jobs for months must not grow with the number of jobs
 * it ran: 200 short jobs one after another (submitted over gRPC with one
 * bundle, so the test measures the cluster, not 200 CLI start-ups).
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'tiny-collect-job.ts');
const JOBS = 200;
const CAPACITY = 10;

after(stopAllProcesses);

/** Resident memory of a process, in KiB (VmRSS of /proc/<pid>/status). */
function residentKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  if (!line) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line.replace(/\D+/g, ''));
}

function residentOf(cluster: StartedCluster): number[] {
  return [cluster.jobManager.daemon.pid, ...cluster.taskManagers.map((tm) => tm.daemon.pid)].map(residentKiB);
}

/**
 * Resident memory once the daemons settled after a job: a TaskManager ends
 * the job's slot thread and starts a spare for the next job, which holds
 * about 13 MiB once it has loaded the runtime. Taken at once, a sample lands
 * anywhere in that cycle (measured: 103 MiB at the moment the job was
 * FINISHED, 116 MiB a second later), so both samples wait the same second.
 */
async function settledResidentOf(cluster: StartedCluster): Promise<number[]> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return residentOf(cluster);
}

describe('a cluster that runs jobs for months', { timeout: 600_000 }, () => {
  test(`${JOBS} short jobs one after another: the JobManager's and TaskManagers' resident memory after the last is within 20% of after the 20th; REST keeps at most jobstore.max-capacity ended jobs`, async (t) => {
    const cluster = await startCluster({ taskManagers: 2, slots: 1, set: [`jobstore.max-capacity=${CAPACITY}`] });
    const { jobManager } = cluster;
    const bundle = await bundleJob(JOB);
    const graph = await compileJobBundle(JOB, bundle, { defaultParallelism: 2, maxParallelism: 128, objectReuse: false, args: ['--n', '100'] });
    const client = new JobManagerClient(jobManager.rpcAddress);
    const state = async (jobId: string): Promise<string> => ((await (await fetch(`${jobManager.restUrl}/jobs/${jobId}`)).json()) as { state: string }).state;
    let after20: number[] = [];
    const started = performance.now();
    try {
      for (let i = 1; i <= JOBS; i++) {
        const { jobId } = await client.call('SubmitJob', {
          jobGraph: Buffer.from(JSON.stringify(graph)),
          bundle: Buffer.from(bundle),
          savepointPath: '',
          allowNonRestoredState: false,
          jobConfigJson: '{}',
        }, 60_000);
        const ended = await waitFor(async () => {
          const s = await state(jobId);
          return ['FINISHED', 'FAILED', 'CANCELED'].includes(s) ? s : undefined;
        }, { timeoutMs: 60_000, intervalMs: 20, what: `job ${i} to end` });
        assert.equal(ended, 'FINISHED', `job ${i} (${jobId})`);
        if (i === 20) after20 = await settledResidentOf(cluster);
      }
    } finally {
      client.close();
    }
    // Slot threads end once the JobManager released the last job's slots.
    const after200 = await settledResidentOf(cluster);
    const names = ['JobManager', ...cluster.taskManagers.map((_, i) => `TaskManager ${i + 1}`)];
    t.diagnostic(`${JOBS} jobs in ${Math.round((performance.now() - started) / 1000)} s; resident KiB after 20 -> after ${JOBS}: ${names.map((n, i) => `${n} ${after20[i]} -> ${after200[i]}`).join(', ')}`);
    after200.forEach((kib, i) => {
      assert.ok(kib <= after20[i]! * 1.2, `${names[i]} grew from ${after20[i]} KiB after 20 jobs to ${kib} KiB after ${JOBS} (more than 20%)`);
    });
    const listed = ((await (await fetch(`${jobManager.restUrl}/jobs`)).json()) as { jobs: unknown[] }).jobs;
    assert.ok(listed.length <= CAPACITY, `REST lists ${listed.length} jobs, more than jobstore.max-capacity ${CAPACITY}`);
    const overview = (await (await fetch(`${jobManager.restUrl}/overview`)).json()) as { 'jobs-finished': number };
    assert.equal(overview['jobs-finished'], JOBS, '/overview counts every job that ended');
  });
});
