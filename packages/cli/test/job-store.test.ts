import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT, runCli, startCluster, stopAllProcesses, waitFor, type StartedJobManager } from '@rivulet/testing';

/**
 * The JobManager's job store (jobstore.max-capacity, jobstore.expiration-time)
 * with real processes: ended jobs are archived, evicted beyond the capacity
 * and expired after the expiration time; REST and `rivulet status` say so.
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'tiny-collect-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-job-store-'));

after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

async function rest(jm: StartedJobManager, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${jm.restUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** `rivulet run` of the tiny job: its result is read from the JobManager once the job ended. */
async function runTinyJob(jm: StartedJobManager, n: number): Promise<string> {
  const result = await runCli(['run', JOB, '--jobmanager', jm.rpcAddress, '--output', 'json', '--', '--n', String(n)], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, result.stderr);
  const details = JSON.parse(result.stdout) as { jobId: string; state: string; results: { doubled: number[] } };
  assert.equal(details.state, 'FINISHED');
  assert.deepEqual([...details.results.doubled].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => 2 * (i + 1)), 'the run result (collect) is served');
  return details.jobId;
}

async function startWith(settings: string[], slots = 1): Promise<StartedJobManager> {
  const cluster = await startCluster({ taskManagers: 1, slots, set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`, ...settings] });
  return cluster.jobManager;
}

describe('the job store', () => {
  test('jobstore.max-capacity=3: of 5 finished jobs REST lists the newest 3; the 2 evicted answer 404 naming the eviction', async () => {
    const jm = await startWith(['jobstore.max-capacity=3'], 4);
    const first = await runTinyJob(jm, 4);
    // Four more at once, one slot each: the first is then the oldest, evicted for sure.
    const others = await Promise.all([1, 2, 3, 4].map(async (n) => {
      const result = await runCli(['run', JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', '--', '--n', String(n)], { timeoutMs: 60_000 });
      assert.equal(result.code, 0, result.stderr);
      return (JSON.parse(result.stdout) as { jobId: string }).jobId;
    }));
    await waitFor(async () => (await rest(jm, '/overview')).body['jobs-finished'] === 5 || undefined, { timeoutMs: 60_000, what: '5 jobs finished' })
      .catch(async (err: unknown) => {
        throw new Error(`${String(err)}: ${JSON.stringify((await rest(jm, '/overview')).body)} ${JSON.stringify((await rest(jm, '/jobs')).body)}`);
      });

    const listed = (await rest(jm, '/jobs')).body['jobs'] as Array<{ id: string; status: string }>;
    assert.equal(listed.length, 3, JSON.stringify(listed));
    assert.ok(listed.every((job) => job.status === 'FINISHED' && others.includes(job.id)), 'the newest 3 of the 5');
    for (const { id } of listed) assert.equal((await rest(jm, `/jobs/${id}`)).status, 200);
    const evicted = [first, ...others.filter((id) => !listed.some((job) => job.id === id))];
    assert.equal(evicted.length, 2);

    for (const id of evicted) {
      for (const path of [`/jobs/${id}`, `/jobs/${id}/checkpoints`, `/jobs/${id}/exceptions`]) {
        const { status, body } = await rest(jm, path);
        assert.equal(status, 404, path);
        assert.deepEqual(Object.keys(body), ['errors']);
        assert.match((body['errors'] as string[])[0] ?? '', new RegExp(`^job ${id} \\(tiny-collect\\) ended FINISHED at .* and was evicted from the job store: only the newest jobstore.max-capacity \\(3\\) ended jobs are kept$`));
      }
    }
    const status = await runCli(['status', first, '--jobmanager', jm.rpcAddress]);
    assert.equal(status.code, 1);
    assert.match(status.stderr, /^rivulet: job \S+ \(tiny-collect\) ended FINISHED at .* and was evicted from the job store: only the newest jobstore.max-capacity \(3\) ended jobs are kept\n$/);

    const list = await runCli(['list', '--jobmanager', jm.rpcAddress, '--output', 'json']);
    assert.deepEqual((JSON.parse(list.stdout) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id), listed.map((job) => job.id));
    const overview = (await rest(jm, '/overview')).body;
    assert.equal(overview['jobs-finished'], 5, '/overview counts every job that ended, also the evicted ones');
    const never = await rest(jm, '/jobs/00000000000000000000000000000000');
    assert.deepEqual(never, { status: 404, body: { errors: ['Job 00000000000000000000000000000000 not found'] } });
  });

  test('jobstore.expiration-time=2 s: a finished job disappears after it, and then answers 404 saying it expired', async () => {
    const jm = await startWith(['jobstore.expiration-time=2 s']);
    const id = await runTinyJob(jm, 3);
    const endTime = Number((await rest(jm, `/jobs/${id}`)).body['end-time']);
    assert.ok(endTime > 0);
    const gone = await waitFor(async () => {
      const { status, body } = await rest(jm, `/jobs/${id}`);
      return status === 404 ? body : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100, what: `job ${id} to expire` });
    const goneAfter = Date.now() - endTime;
    assert.ok(goneAfter >= 2000 && goneAfter < 5000, `expired ${goneAfter} ms after it ended`);
    assert.match((gone['errors'] as string[])[0] ?? '', /and expired from the job store: ended jobs are kept for jobstore.expiration-time \(2 s\)$/);
    assert.deepEqual((await rest(jm, '/jobs')).body['jobs'], []);
    const status = await runCli(['status', id, '--jobmanager', jm.rpcAddress]);
    assert.equal(status.code, 1);
    assert.match(status.stderr, /expired from the job store/);
  });
});
