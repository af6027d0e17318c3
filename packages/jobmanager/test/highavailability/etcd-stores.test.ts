import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { JOB_GRAPH_VERSION, type JobGraph } from '@rivulet/api';
import {
  CHECKPOINT_METADATA_FORMAT,
  CHECKPOINT_METADATA_VERSION,
  EtcdLeaderElectionService,
  EtcdTimeoutError,
  FencingError,
  createEtcdClient,
  encodeMetadata,
  loadConfiguration,
  metadataPathOf,
  type CheckpointMetadata,
  type Configuration,
  type LeaderSession,
} from '@rivulet/common';
import { freezeProcess, startEtcd, type StartedEtcd } from '@rivulet/testing';
import type { CompletedCheckpoint, SnapshotStorages } from '../../src/checkpoint/index.js';
import {
  CorruptedHaRecordError,
  EtcdCheckpointIdCounter,
  EtcdCompletedCheckpointStore,
  EtcdJobStore,
  EtcdValueTooLargeError,
  MAX_ETCD_VALUE_BYTES,
  checkpointCounterKey,
  jobKey,
  latestCheckpointKey,
  recoverLatestCheckpoint,
  type EtcdClient,
  type EtcdStoreOptions,
  type LeaderFence,
  type StoredJob,
} from '../../src/highavailability/index.js';
import { InMemoryStorage } from '../checkpoint/fakes.js';

/**
 * The HA stores against a real etcd (Debian's etcd-server, started on free
 * ports by @rivulet/testing): the checkpoint id counter, the latest
 * checkpoint pointer, the job store, and fencing of every write. Each test
 * uses its own cluster id; every wait is bounded; etcd is stopped at the end.
 */
// No skipping: scripts/setup.sh installs Debian's etcd-server; without it startEtcd fails, naming the package.

let etcd: StartedEtcd;
const clients: EtcdClient[] = [];
let clusterSeq = 0;

function settingsFor(clusterId: string): Configuration {
  return loadConfiguration({
    flags: {
      'high-availability.type': 'etcd',
      'high-availability.etcd.endpoints': etcd.endpoint,
      'high-availability.cluster-id': clusterId,
    },
  });
}

function newClient(settings: Configuration): EtcdClient {
  const client = createEtcdClient(settings);
  clients.push(client);
  return client;
}

/** A fresh cluster id, a client, and a fence: a stand-in election key created by hand. */
async function setUp(name: string): Promise<{ settings: Configuration; client: EtcdClient; fence: LeaderFence; options: EtcdStoreOptions }> {
  const settings = settingsFor(`${name}-${process.pid}-${++clusterSeq}`);
  const client = newClient(settings);
  const fence = await makeFence(client, settings, 'a');
  return { settings, client, fence, options: { client, settings, fence } };
}

async function makeFence(client: EtcdClient, settings: Configuration, name: string): Promise<LeaderFence> {
  const key = `/rivulet/${settings['high-availability.cluster-id']}/leader/${name}`;
  const put = await client.put(key).value('{}').exec();
  return { key, createRevision: put.header.revision };
}

const graph: JobGraph = {
  version: JOB_GRAPH_VERSION,
  name: 'ha-test',
  defaultParallelism: 1,
  maxParallelism: 128,
  operators: [
    { id: 'source', hasUserUid: false, name: 'source', kind: 'source', variant: 'test', parallelism: 1, keyed: false, params: {} },
    { id: 'sink', hasUserUid: false, name: 'sink', kind: 'sink', variant: 'test', parallelism: 1, keyed: false, params: {} },
  ],
  edges: [{ source: 'source', target: 'sink', partitioning: 'forward' }],
  args: [],
};

function storedJob(jobId: string, overrides: Partial<StoredJob> = {}): StoredJob {
  return {
    jobId,
    name: graph.name,
    jobGraph: graph,
    bundleSha256: 'ab'.repeat(32),
    jobConfigJson: '{"parallelism.default":"1"}',
    submittedAt: 1_700_000_000_000,
    status: 'CREATED',
    ...overrides,
  };
}

function metadataOf(jobId: string, checkpointId: number, savepoint = false): CheckpointMetadata {
  return {
    format: CHECKPOINT_METADATA_FORMAT,
    version: CHECKPOINT_METADATA_VERSION,
    jobId,
    checkpointId,
    triggerTimestamp: 1000 + checkpointId,
    completionTimestamp: 1100 + checkpointId,
    savepoint,
    maxParallelism: 128,
    stateSize: 0,
    operators: [],
  };
}

function checkpoint(jobId: string, checkpointId: number, owned = true): CompletedCheckpoint {
  const folder = `${jobId}/chk-${checkpointId}`;
  return {
    checkpointId,
    kind: 'checkpoint',
    location: { root: null, folder },
    externalPath: `file:///checkpoints/${folder}`,
    metadata: metadataOf(jobId, checkpointId),
    owned,
  };
}

async function rejectsFenced(what: string, promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof FencingError, `${what}: expected FencingError, got ${String(err)}`);
    assert.match(err.message, /no longer leads/);
    return true;
  });
}

describe('etcd HA stores', () => {
  before(async () => {
    etcd = await startEtcd({ startTimeoutMs: 20_000 });
  });

  after(async () => {
    for (const client of clients) client.close();
    await etcd?.close();
  });

  test('the checkpoint id counter: strictly increasing under two concurrent clients, advanceTo never lowers, survives a new leader', async () => {
    const { settings, options } = await setUp('counter');
    const jobId = 'job-counter';
    const first = new EtcdCheckpointIdCounter({ ...options, jobId });
    assert.equal(await first.get(), 1, 'a new counter starts at 1');

    const otherClient = newClient(settings);
    const second = new EtcdCheckpointIdCounter({ ...options, client: otherClient, jobId });
    const run = async (counter: EtcdCheckpointIdCounter): Promise<number[]> => {
      const ids: number[] = [];
      for (let i = 0; i < 40; i += 1) ids.push(await counter.getAndIncrement());
      return ids;
    };
    const [a, b] = await Promise.all([run(first), run(second)]);
    for (const ids of [a, b]) {
      for (let i = 1; i < ids.length; i += 1) assert.ok(ids[i]! > ids[i - 1]!, `ids of one client increase: ${ids.join(',')}`);
    }
    const all = [...a, ...b].sort((x, y) => x - y);
    assert.deepEqual(all, Array.from({ length: 80 }, (_, i) => i + 1), 'every id handed out once, none skipped');
    assert.equal(await first.get(), 81);

    await first.advanceTo(200);
    assert.equal(await second.get(), 200);
    await second.advanceTo(50);
    assert.equal(await first.get(), 200, 'advanceTo never lowers the counter');
    await assert.rejects(first.advanceTo(Number.NaN), RangeError);

    // A new leader: new client, new fence; the counter goes on from where it was.
    const leaderClient = newClient(settings);
    const newFence = await makeFence(leaderClient, settings, 'b');
    const recovered = new EtcdCheckpointIdCounter({ client: leaderClient, settings, fence: newFence, jobId });
    assert.equal(await recovered.get(), 200);
    assert.equal(await recovered.getAndIncrement(), 200);
    assert.equal(await recovered.getAndIncrement(), 201);
    const raw = await leaderClient.get(checkpointCounterKey(settings, jobId)).string();
    assert.equal(raw, '202');
  });

  test('the completed checkpoint store: pointer written and read back, retention, recovery by a new leader', async () => {
    const { settings, client, options } = await setUp('store');
    const jobId = 'job-store';
    assert.equal(await EtcdCompletedCheckpointStore.readLatestPointer(client, settings, jobId), undefined);

    const store = new EtcdCompletedCheckpointStore({ ...options, jobId, numRetained: 2 });
    const restored = { ...checkpoint(jobId, 1, false), kind: 'savepoint' as const, location: { root: 'file:///savepoints', folder: 'savepoint-job-st-x' }, externalPath: 'file:///savepoints/savepoint-job-st-x' };
    assert.deepEqual(await store.add(restored), []);
    assert.deepEqual(await EtcdCompletedCheckpointStore.readLatestPointer(client, settings, jobId), {
      checkpointId: 1,
      location: { root: 'file:///savepoints', folder: 'savepoint-job-st-x' },
      externalPath: 'file:///savepoints/savepoint-job-st-x',
      owned: false,
    });
    assert.deepEqual(await store.add(checkpoint(jobId, 2)), []);
    assert.deepEqual(await store.add(checkpoint(jobId, 3)), [], 'a snapshot the job restored from is never handed back');
    const pushed = await store.add(checkpoint(jobId, 4));
    assert.deepEqual(pushed.map((c) => c.checkpointId), [2], 'retention hands back the owned checkpoint it pushed out');
    assert.deepEqual(store.all().map((c) => c.checkpointId), [3, 4]);
    await assert.rejects(store.add(checkpoint(jobId, 4)), /not newer/);
    const pointer = await EtcdCompletedCheckpointStore.readLatestPointer(client, settings, jobId);
    assert.deepEqual(pointer, {
      checkpointId: 4,
      location: { root: null, folder: `${jobId}/chk-4` },
      externalPath: `file:///checkpoints/${jobId}/chk-4`,
      owned: true,
    });
    assert.ok(pointer);

    // A new leader reads the pointer, then the metadata from checkpoint storage.
    const checkpoints = new InMemoryStorage();
    await checkpoints.put(metadataPathOf(`${jobId}/chk-4`), encodeMetadata(metadataOf(jobId, 4)));
    const storages: SnapshotStorages = {
      checkpoints,
      checkpointRoot: 'file:///checkpoints',
      savepoints: () => {
        throw new Error('no savepoint storage here');
      },
    };
    const recovered = await recoverLatestCheckpoint(pointer, storages);
    assert.deepEqual(recovered, checkpoint(jobId, 4));
    await assert.rejects(recoverLatestCheckpoint({ ...pointer, checkpointId: 3, location: { root: null, folder: `${jobId}/chk-3` } }, storages), /does not exist/);

    const newFence = await makeFence(client, settings, 'b');
    const next = await EtcdCompletedCheckpointStore.withRecovered({ client, settings, fence: newFence, jobId, numRetained: 1 }, recovered);
    assert.equal(next.latest()?.checkpointId, 4);
    const pushedByNext = await next.add(checkpoint(jobId, 5));
    assert.deepEqual(pushedByNext.map((c) => c.checkpointId), [4]);
    assert.equal((await EtcdCompletedCheckpointStore.readLatestPointer(client, settings, jobId))?.checkpointId, 5);

    // A late write of an older pointer (an add that timed out, reaching etcd after all) is replaced by the next add...
    const pointerKey = latestCheckpointKey(settings, jobId);
    await client.put(pointerKey).value(JSON.stringify({ ...pointer, checkpointId: 3 })).exec();
    await next.add(checkpoint(jobId, 6));
    assert.equal((await EtcdCompletedCheckpointStore.readLatestPointer(client, settings, jobId))?.checkpointId, 6);
    // ...and a newer pointer is never overwritten by an older checkpoint.
    await client.put(pointerKey).value(JSON.stringify({ ...pointer, checkpointId: 9 })).exec();
    await assert.rejects(next.add(checkpoint(jobId, 7)), /names checkpoint 9 already; checkpoint 7 is not newer/);
    assert.equal(next.latest()?.checkpointId, 6);
    await client.put(pointerKey).value(JSON.stringify({ ...pointer, checkpointId: 6, location: { root: null, folder: `${jobId}/chk-6` }, externalPath: `file:///checkpoints/${jobId}/chk-6` })).exec();

    assert.deepEqual((await next.shutdown('SUSPENDED', 'RETAIN_ON_CANCELLATION')).length, 0);
    assert.equal((await EtcdCompletedCheckpointStore.readLatestPointer(client, settings, jobId))?.checkpointId, 6, 'shutdown keeps the pointer');
  });

  test('fencing: once the election key is gone or re-created, every fenced write rejects and nothing is written', async () => {
    const { settings, client, fence, options } = await setUp('fence');
    const jobId = 'job-fenced';
    const counter = new EtcdCheckpointIdCounter({ ...options, jobId });
    const store = new EtcdCompletedCheckpointStore({ ...options, jobId, numRetained: 1 });
    const jobs = new EtcdJobStore(options);
    await jobs.put(storedJob(jobId));
    assert.equal(await counter.getAndIncrement(), 1);
    await store.add(checkpoint(jobId, 1));

    await client.delete().key(fence.key).exec();
    const expectAllFenced = async (): Promise<void> => {
      await rejectsFenced('getAndIncrement', counter.getAndIncrement());
      await rejectsFenced('advanceTo', counter.advanceTo(100));
      await rejectsFenced('add', store.add(checkpoint(jobId, 2)));
      await rejectsFenced('put', jobs.put(storedJob('job-other')));
      await rejectsFenced('put again', jobs.put(storedJob(jobId)));
      await rejectsFenced('updateStatus', jobs.updateStatus(jobId, 'RUNNING'));
      await rejectsFenced('remove', jobs.remove(jobId));
      assert.equal(store.latest()?.checkpointId, 1, 'a checkpoint whose pointer was refused is not the latest');
      assert.equal(await counter.get(), 2);
      assert.equal((await EtcdCompletedCheckpointStore.readLatestPointer(client, settings, jobId))?.checkpointId, 1);
      assert.deepEqual((await jobs.list()).map((j) => [j.jobId, j.status]), [[jobId, 'CREATED']]);
    };
    await expectAllFenced();

    // The same key created again (another campaign): a new epoch, still fenced.
    await client.put(fence.key).value('{}').exec();
    await expectAllFenced();
  });

  test('fencing with the real election: a leader that resigned writes nothing', async () => {
    const settings = settingsFor(`election-${process.pid}-${++clusterSeq}`);
    const client = newClient(settings);
    const election = new EtcdLeaderElectionService(settings, { client });
    let session: LeaderSession | undefined;
    await election.start({ grantLeadership: (s) => (session = s), revokeLeadership: () => (session = undefined) }, { rpcAddress: '127.0.0.1:1' });
    const deadline = performance.now() + 10_000;
    while (session === undefined && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(session, 'leadership granted within 10 s');
    const key = election.leaderKey();
    assert.ok(key !== undefined && key.startsWith(`/rivulet/${settings["high-availability.cluster-id"]}/leader/`), `leader key: ${key}`);
    const fence: LeaderFence = { key, createRevision: session.epoch };
    const jobs = new EtcdJobStore({ client, settings, fence });
    await jobs.put(storedJob('job-elected'));
    await jobs.updateStatus('job-elected', 'RUNNING');

    await election.stop();
    assert.equal(election.leaderKey(), undefined);
    await rejectsFenced('updateStatus after stop', jobs.updateStatus('job-elected', 'FINISHED'));
    await rejectsFenced('remove after stop', jobs.remove('job-elected'));
    assert.equal((await jobs.get('job-elected'))?.status, 'RUNNING');
  });

  test('the job store: put (idempotent, one record per id), list by prefix, updateStatus, remove of all three keys', async () => {
    const { settings, client, options } = await setUp('jobs');
    const jobs = new EtcdJobStore(options);
    const first = storedJob('job-1', { restore: { savepointPath: 'file:///savepoints/savepoint-1', allowNonRestoredState: true } });
    await jobs.put(first);
    await jobs.put(first);
    await jobs.put({ ...first, status: 'RUNNING' });
    await jobs.put(storedJob('job-2', { submittedAt: 1_700_000_000_500 }));
    await assert.rejects(jobs.put({ ...first, bundleSha256: 'cd'.repeat(32) }), /job job-1 is stored already, from another submission/);
    await assert.rejects(jobs.put(storedJob('job-bad', { jobGraph: { ...graph, operators: [] } })), /job job-bad cannot be stored: job graph is invalid/);
    assert.equal(await jobs.get('job-bad'), undefined);

    // Another cluster's job and keys of other kinds are not listed.
    const elsewhere = await setUp('jobs-elsewhere');
    await new EtcdJobStore(elsewhere.options).put(storedJob('job-3'));
    const listed = await jobs.list();
    assert.deepEqual(listed.map((j) => j.jobId), ['job-1', 'job-2']);
    assert.deepEqual(listed[0], first, 'the record reads back as written');
    assert.equal(listed[1]?.restore, undefined);

    await jobs.updateStatus('job-1', 'RUNNING');
    await jobs.updateStatus('job-1', 'RUNNING');
    assert.equal((await jobs.get('job-1'))?.status, 'RUNNING');
    await assert.rejects(jobs.updateStatus('job-missing', 'RUNNING'), /job job-missing is not in the HA job store/);

    const counter = new EtcdCheckpointIdCounter({ ...options, jobId: 'job-1' });
    await counter.getAndIncrement();
    await new EtcdCompletedCheckpointStore({ ...options, jobId: 'job-1', numRetained: 1 }).add(checkpoint('job-1', 1));
    await new EtcdCompletedCheckpointStore({ ...options, jobId: 'job-10', numRetained: 1 }).add(checkpoint('job-10', 1));
    const keys = [jobKey(settings, 'job-1'), checkpointCounterKey(settings, 'job-1'), latestCheckpointKey(settings, 'job-1')];
    for (const key of keys) assert.notEqual(await client.get(key).string(), null, `${key} written`);

    await jobs.remove('job-1');
    for (const key of keys) assert.equal(await client.get(key).string(), null, `${key} removed`);
    assert.notEqual(await client.get(latestCheckpointKey(settings, 'job-10')).string(), null, 'job-10 is not under job-1/');
    assert.deepEqual((await jobs.list()).map((j) => j.jobId), ['job-2']);
    await jobs.remove('job-1');

    // A damaged record is reported with its key, never skipped silently.
    await client.put(jobKey(settings, 'job-2')).value('{"jobId":"job-2"').exec();
    await assert.rejects(jobs.list(), (err: unknown) => err instanceof CorruptedHaRecordError && err.key === jobKey(settings, 'job-2'));
  });

  test('a value over 1 MiB is refused with a message naming the job and the size', async () => {
    const { client, settings, options } = await setUp('big');
    const jobs = new EtcdJobStore(options);
    const big = storedJob('job-big', { jobGraph: { ...graph, args: ['x'.repeat(MAX_ETCD_VALUE_BYTES)] } });
    await assert.rejects(jobs.put(big), (err: unknown) => {
      assert.ok(err instanceof EtcdValueTooLargeError);
      assert.match(err.message, /^job job-big: the stored job \(graph and submission\) is \d+ bytes, above the limit of 1048576 bytes \(1 MiB\)/);
      assert.ok(err.bytes > MAX_ETCD_VALUE_BYTES);
      return true;
    });
    assert.equal(await client.get(jobKey(settings, 'job-big')).string(), null);
  });

  // Last: it stops etcd.
  test('add rejects within its bound while etcd is frozen or down, and works again once etcd is back', async () => {
    const { settings, client, options } = await setUp('down');
    const jobId = 'job-down';
    const store = new EtcdCompletedCheckpointStore({ ...options, timeoutMs: 1500, jobId, numRetained: 2 });
    await store.add(checkpoint(jobId, 1));

    // etcd frozen: no answer at all, the deadline ends the add. (Frozen for sure: a full suite once saw it answer right after kill().)
    await freezeProcess(etcd.pid);
    let started = performance.now();
    try {
      await assert.rejects(store.add(checkpoint(jobId, 2)), (err: unknown) => {
        assert.ok(err instanceof EtcdTimeoutError, `expected EtcdTimeoutError, got ${String(err)}`);
        assert.match(err.message, /write of the latest checkpoint pointer \(checkpoint 2\) of job job-down did not finish within 1500 ms/);
        return true;
      });
    } finally {
      process.kill(etcd.pid, 'SIGCONT');
    }
    let waitedMs = performance.now() - started;
    assert.ok(waitedMs >= 1400 && waitedMs < 2500, `add rejected after ${Math.round(waitedMs)} ms (bound 1500 ms)`);
    assert.equal(store.latest()?.checkpointId, 1, 'the checkpoint that could not be recorded is not the latest');

    // etcd stopped: connections are refused.
    await etcd.stop();
    started = performance.now();
    await assert.rejects(store.add(checkpoint(jobId, 3)));
    waitedMs = performance.now() - started;
    assert.ok(waitedMs < 2500, `add rejected after ${Math.round(waitedMs)} ms (bound 1500 ms)`);
    assert.equal(store.latest()?.checkpointId, 1, 'the checkpoint that could not be recorded is not the latest');

    await etcd.start();
    const retryDeadline = performance.now() + 10_000;
    for (;;) {
      try {
        await store.add(checkpoint(jobId, 4));
        break;
      } catch (err) {
        if (performance.now() > retryDeadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    assert.equal(store.latest()?.checkpointId, 4);
    assert.equal((await EtcdCompletedCheckpointStore.readLatestPointer(client, settings, jobId))?.checkpointId, 4);
  });
});
