import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import type { JobMaster } from '../../src/jobmaster/job-master.js';
import { registerRestRoutes } from '../../src/rest/rest-routes.js';
import type { TaskManagerRegistry } from '../../src/resourcemanager/task-manager-registry.js';
import { ArchivedJobStore, JobDirectory, UnknownJobError, type JobStoreTimers } from '../../src/jobstore/index.js';

const clock = { ms: 1_700_000_000_000 };
const timers: JobStoreTimers = { now: () => clock.ms, schedule: () => ({ cancel: () => undefined }) };

/** Just what JobDirectory and archiveJob read of a JobMaster. */
function fakeMaster(jobId: string, status: string): JobMaster {
  const master = {
    jobId,
    name: `name of ${jobId}`,
    status,
    statusTimestamps: { CREATED: clock.ms - 100, RUNNING: clock.ms - 90, FINISHED: clock.ms, FAILED: clock.ms, CANCELED: clock.ms },
    exceptions: [{ timestamp: clock.ms, message: 'Error: boom', task: 'Map (1/1)', location: 'tm-1', cause: 'task' }],
    details: () => ({ jid: jobId, state: master.status, results: { out: [1, 2, 3] } }),
    completedCheckpoints: 2,
    checkpointing: { coordinator: { statistics: { toJSON: () => ({ counts: { completed: master.completedCheckpoints } }) } } },
    graph: { vertices: { vertices: [{ id: 'src', name: 'Source', operatorIds: ['src'], parallelism: 1, keyed: false, isSource: true }], edges: [] } },
    options: {
      graph: { operators: [{ id: 'src', name: 'Source' }], defaultParallelism: 1, maxParallelism: 128, args: [] },
      checkpointing: { configuration: { intervalMs: null, mode: 'EXACTLY_ONCE' } },
      failover: { restartStrategy: { description: 'none' }, strategy: 'region', schedulerMode: 'default' },
      slotRequestTimeoutMs: 30_000,
      spreadSlots: true,
    },
  };
  return master as unknown as JobMaster;
}

function directoryWith(maxCapacity: number, expirationMs: number): JobDirectory {
  return new JobDirectory(new ArchivedJobStore({ maxCapacity, expirationMs }, timers));
}

/** Runs one job through the directory: live, ended (counted, archived), released. */
function runJob(directory: JobDirectory, jobId: string, status: 'FINISHED' | 'FAILED' | 'CANCELED'): JobMaster {
  const master = fakeMaster(jobId, 'RUNNING');
  directory.add(master);
  (master as { status: string }).status = status;
  directory.end(master);
  directory.release(master);
  return master;
}

describe('the job directory', () => {
  test('an ended job is archived at once and its JobMaster dropped; the archive serves what the live job served', () => {
    const directory = directoryWith(3, 3_600_000);
    const master = fakeMaster('j1', 'RUNNING');
    directory.add(master);
    assert.equal(directory.counts().running, 1);
    (master as { status: string }).status = 'FAILED';
    const live = directory.view('j1');
    directory.end(master);
    assert.equal(directory.master('j1'), undefined, 'the JobMaster is no longer held');
    const archived = directory.view('j1');
    assert.equal(archived.detailsJson(), live.detailsJson());
    assert.equal(archived.checkpointsJson(), live.checkpointsJson());
    assert.equal(archived.exceptionsJson(), live.exceptionsJson());
    assert.equal(archived.planJson(), live.planJson(), 'an ended job keeps its graph for the dashboard');
    assert.equal(archived.configJson(), live.configJson());
    assert.deepEqual([archived.status, archived.name, archived.endTime], ['FAILED', 'name of j1', clock.ms]);
    assert.deepEqual(directory.counts(), { running: 0, finished: 0, cancelled: 0, failed: 1 });

    // Its checkpointing shuts down afterwards (pending checkpoints aborted, retention applied): the archive follows.
    (master as unknown as { completedCheckpoints: number }).completedCheckpoints = 3;
    directory.release(master);
    assert.equal(directory.view('j1').checkpointsJson(), '{"counts":{"completed":3}}');
    assert.equal(directory.list().length, 1);
  });

  test('a suspended or replaced JobMaster is not archived; a job recovered here again is live, not archived', () => {
    const directory = directoryWith(3, 3_600_000);
    const suspended = fakeMaster('j1', 'SUSPENDED');
    directory.add(suspended);
    directory.end(suspended);
    assert.equal(directory.master('j1'), suspended);
    const replacement = fakeMaster('j1', 'RUNNING');
    directory.add(replacement);
    (suspended as { status: string }).status = 'FINISHED';
    directory.end(suspended);
    directory.release(suspended);
    assert.equal(directory.master('j1'), replacement);
    assert.deepEqual(directory.list().map((job) => job.status), ['RUNNING']);
    assert.equal(directory.counts().finished, 0);

    const ended = runJob(directory, 'j2', 'FINISHED');
    directory.add(fakeMaster('j2', 'RUNNING')); // the HA job store still held it: recovered
    directory.release(ended);
    assert.deepEqual(directory.list().map((job) => [job.jobId, job.status]), [['j1', 'RUNNING'], ['j2', 'RUNNING']]);
  });

  test('overview counts keep every ended job, also those evicted', () => {
    const directory = directoryWith(2, 3_600_000);
    for (let i = 0; i < 5; i++) runJob(directory, `j${i}`, i === 4 ? 'CANCELED' : 'FINISHED');
    assert.equal(directory.list().length, 2);
    assert.deepEqual(directory.counts(), { running: 0, finished: 4, cancelled: 1, failed: 0 });
    assert.throws(() => directory.view('nope'), UnknownJobError);
  });
});

describe('REST over the job store', () => {
  const directory = directoryWith(3, 60_000);
  const dispatcher = { view: (id: string) => directory.view(id), list: () => directory.list(), counts: () => directory.counts() };
  const registry = { all: () => [], slotsTotal: () => 0, slotsAvailable: () => 0 };
  const app = Fastify();
  registerRestRoutes(app, { registry: registry as unknown as TaskManagerRegistry, dispatcher: dispatcher as unknown as Dispatcher, session: () => undefined });
  after(() => app.close());

  const get = async (url: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await app.inject({ method: 'GET', url });
    assert.match(String(response.headers['content-type']), /^application\/json/);
    return { status: response.statusCode, body: response.json() as Record<string, unknown> };
  };

  test('archived jobs are listed and served; evicted and expired ones answer 404 saying so; unknown ones "not found"', async () => {
    for (let i = 0; i < 4; i++) runJob(directory, `job${i}`, i === 3 ? 'FAILED' : 'FINISHED');
    const listed = await get('/jobs');
    assert.deepEqual(listed.body['jobs'], ['job1', 'job2', 'job3'].map((id, i) => ({ id, status: i === 2 ? 'FAILED' : 'FINISHED' })));

    const details = await get('/jobs/job3');
    assert.equal(details.status, 200);
    assert.deepEqual(details.body, { jid: 'job3', state: 'FAILED', results: { out: [1, 2, 3] } });
    assert.deepEqual((await get('/jobs/job3/checkpoints')).body, { counts: { completed: 2 } });
    const exceptions = (await get('/jobs/job3/exceptions')).body;
    assert.equal(exceptions['root-exception'], 'Error: boom');

    const evicted = await get('/jobs/job0');
    assert.equal(evicted.status, 404);
    assert.deepEqual(Object.keys(evicted.body), ['errors']);
    assert.match(String((evicted.body['errors'] as string[])[0]), /^job job0 \(name of job0\) ended FINISHED at .* and was evicted from the job store: only the newest jobstore.max-capacity \(3\) ended jobs are kept$/);
    assert.equal((await get('/jobs/job0/checkpoints')).status, 404);
    assert.equal((await get('/jobs/job0/exceptions')).status, 404);

    clock.ms += 60_000;
    const expired = await get('/jobs/job3');
    assert.equal(expired.status, 404);
    assert.match(String((expired.body['errors'] as string[])[0]), /ended FAILED at .* and expired from the job store: ended jobs are kept for jobstore.expiration-time \(1 min\)$/);
    assert.deepEqual((await get('/jobs')).body['jobs'], []);

    const unknown = await get('/jobs/0123');
    assert.deepEqual(unknown, { status: 404, body: { errors: ['Job 0123 not found'] } });
    assert.deepEqual((await get('/overview')).body['jobs-finished'], 3);
  });
});
