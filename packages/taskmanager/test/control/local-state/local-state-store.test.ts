import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  createLogger,
  decodeSubtaskStateSnapshot,
  loadConfiguration,
  silentLogger,
  type KeyGroupStateHandle,
  type Logger,
  type TaskDeploymentDescriptor,
  type TaskRestore,
} from '@rivulet/common';
import type { KeyGroupSnapshot } from '../../../src/slot/state/index.js';
import type { JobManagerConnection } from '../../../src/control/registration/jobmanager-connection.js';
import { GrpcCheckpointResponder } from '../../../src/control/tasks/checkpoint-responder.js';
import { stateFileLocation } from '../../../src/slot/checkpointing/state-file-location.js';
import { CheckpointPersister } from '../../../src/slot/checkpointing/checkpoint-persister.js';
import {
  TaskLocalStateStore,
  createLocalStateStore,
  localStateRootOf,
  type LocalStateFile,
} from '../../../src/control/local-state/local-state-store.js';
import { readRestoredState } from '../../../src/slot/checkpointing/restore-reader.js';
import { StorageProvider } from '../../../src/slot/checkpointing/storage-provider.js';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-local-state-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let roots = 0;
const newRoot = (): string => join(dir, `root-${roots++}`);

/** A logger whose lines the test can read. */
function capturingLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = createLogger({ component: 'test', level: 'debug', destination });
  return { log, lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const file = (jobId: string, checkpointId: number, fileIndex = 0, operatorId = 'counts', subtaskIndex = 0): LocalStateFile =>
  ({ jobId, checkpointId, operatorId, subtaskIndex, fileIndex });
const locationOf = (f: LocalStateFile): string => `file:///remote/${f.jobId}/chk-${f.checkpointId}/${f.operatorId}/${f.subtaskIndex}/state-${f.fileIndex}`;
const bytesOf = (text: string): Buffer => Buffer.from(text, 'utf8');

async function openStore(log: Logger = silentLogger(), options = {}): Promise<TaskLocalStateStore> {
  const store = new TaskLocalStateStore(newRoot(), log, options);
  await store.open();
  return store;
}

async function keepAll(store: TaskLocalStateStore, files: LocalStateFile[]): Promise<void> {
  for (const f of files) store.keep(f, bytesOf(`bytes of ${locationOf(f)}`), Promise.resolve(locationOf(f)));
  await store.settled();
}

const kept = (store: TaskLocalStateStore, f: LocalStateFile): boolean => store.lookup(f.checkpointId, locationOf(f)) !== undefined;

describe('TaskLocalStateStore', () => {
  test('a kept copy is written under <root>/<job>/chk-<n>/<operator>/<subtask>/state-<i> and found by checkpoint id and location', async () => {
    const store = await openStore();
    const f = file('job-a', 3, 1, 'my/op', 2);
    store.keep(f, bytesOf('0123456789'), Promise.resolve(locationOf(f)));
    await store.settled();
    const path = store.lookup(3, locationOf(f));
    assert.equal(path, join(store.root, 'job-a', 'chk-3', 'my%2Fop', '2', 'state-1'));
    assert.equal(readFileSync(path).toString(), '0123456789');
    assert.equal(store.lookup(4, locationOf(f)), undefined, 'another checkpoint id');
    assert.equal(store.lookup(3, `${locationOf(f)}x`), undefined, 'another location');
    const hit = await store.read(3, locationOf(f), 2, 5);
    assert.equal(hit.kind, 'hit');
    assert.equal(hit.kind === 'hit' && hit.bytes.toString(), '23456');
    assert.deepEqual(await store.read(4, locationOf(f), 0, 1), { kind: 'miss' });
    await store.close();
  });

  test('a copy is indexed only once the write to checkpoint storage succeeded', async () => {
    const store = await openStore();
    const f = file('job-a', 1);
    let resolveRemote!: (location: string) => void;
    store.keep(f, bytesOf('abc'), new Promise((resolve) => (resolveRemote = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(kept(store, f), false, 'not indexed while the remote write runs');
    resolveRemote(locationOf(f));
    await store.settled();
    assert.equal(kept(store, f), true);

    const failed = file('job-a', 1, 1);
    store.keep(failed, bytesOf('def'), Promise.reject(new Error('S3 down')));
    await store.settled();
    assert.equal(kept(store, failed), false);
    assert.equal(existsSync(join(store.root, 'job-a', 'chk-1', 'counts', '0', 'state-1')), false, 'the local file is removed');
    await store.close();
  });

  test('checkpoint n completed drops the job\'s older checkpoints only; aborted ones go; late writes of dropped checkpoints delete themselves', async () => {
    const store = await openStore();
    const a1 = file('job-a', 1), a2 = file('job-a', 2), a3 = file('job-a', 3), b1 = file('job-b', 1);
    await keepAll(store, [a1, a2, a3, b1]);
    store.checkpointCompleted('job-a', 2);
    await store.settled();
    assert.deepEqual([a1, a2, a3, b1].map((f) => kept(store, f)), [false, true, true, true]);
    assert.equal(existsSync(join(store.root, 'job-a', 'chk-1')), false);
    assert.equal(existsSync(join(store.root, 'job-a', 'chk-2')), true);
    assert.equal(existsSync(join(store.root, 'job-b', 'chk-1')), true);

    store.checkpointAborted('job-a', 3);
    await store.settled();
    assert.equal(kept(store, a3), false);
    assert.equal(existsSync(join(store.root, 'job-a', 'chk-3')), false);
    assert.equal(kept(store, a2), true);

    // A write older than the completed checkpoint is not kept at all.
    await keepAll(store, [file('job-a', 1, 5)]);
    assert.equal(kept(store, file('job-a', 1, 5)), false);
    // A write of checkpoint 4, aborted while its upload runs, removes its copy when it settles.
    const a4 = file('job-a', 4);
    let resolveRemote!: (location: string) => void;
    store.keep(a4, bytesOf('late'), new Promise((resolve) => (resolveRemote = resolve)));
    store.checkpointAborted('job-a', 4);
    resolveRemote(locationOf(a4));
    await store.settled();
    assert.equal(kept(store, a4), false);
    assert.equal(existsSync(join(store.root, 'job-a', 'chk-4', 'counts', '0', 'state-0')), false);
    // Completing 5 also clears the folders such writes left.
    store.checkpointCompleted('job-a', 5);
    await store.settled();
    assert.equal(existsSync(join(store.root, 'job-a', 'chk-4')), false);
    assert.equal(existsSync(join(store.root, 'job-a', 'chk-2')), false);
    await store.close();
  });

  test('releasing a job removes its folder and copies; a write finishing afterwards removes itself', async () => {
    const store = await openStore();
    const a1 = file('job-a', 1), b1 = file('job-b', 1);
    await keepAll(store, [a1, b1]);
    const a2 = file('job-a', 2);
    let resolveRemote!: (location: string) => void;
    store.keep(a2, bytesOf('late'), new Promise((resolve) => (resolveRemote = resolve)));
    store.releaseJob('job-a');
    resolveRemote(locationOf(a2));
    await store.settled();
    assert.equal(kept(store, a1), false);
    assert.equal(kept(store, a2), false);
    assert.equal(existsSync(join(store.root, 'job-a')), false);
    assert.equal(kept(store, b1), true);
    assert.equal(store.size, 1);
    await store.close();
  });

  test('a failed local write is logged and dropped, never thrown; the checkpoint\'s own write is untouched', async () => {
    const { log, lines } = capturingLogger();
    const root = newRoot();
    writeFileSync(root, 'a file where the root folder should be');
    const store = new TaskLocalStateStore(root, log);
    const f = file('job-a', 1);
    const remote = Promise.resolve(locationOf(f));
    assert.doesNotThrow(() => store.keep(f, bytesOf('abc'), remote));
    assert.equal(await remote, locationOf(f));
    await store.settled();
    assert.equal(kept(store, f), false);
    assert.ok(lines().some((l) => l.msg === 'could not write a local state copy; dropped' && l.level === 'warn'), JSON.stringify(lines()));
    rmSync(root);
  });

  test('copies beyond maxPendingBytes waiting to be written are skipped', async () => {
    const store = await openStore(silentLogger(), { maxPendingBytes: 10 });
    const big = file('job-a', 1, 0), small = file('job-a', 1, 1);
    store.keep(big, Buffer.alloc(11), Promise.resolve(locationOf(big)));
    store.keep(small, Buffer.alloc(10), Promise.resolve(locationOf(small)));
    await store.settled();
    assert.equal(kept(store, big), false);
    assert.equal(kept(store, small), true);
    await store.close();
  });

  test('open wipes what an earlier process left; close waits for local writes and wipes the root; afterwards nothing is kept', async () => {
    const store = new TaskLocalStateStore(newRoot(), silentLogger());
    await store.open();
    writeFileSync(join(store.root, 'left-over'), 'x');
    await store.open();
    assert.equal(existsSync(join(store.root, 'left-over')), false);
    const f = file('job-a', 1);
    store.keep(f, Buffer.alloc(1024), Promise.resolve(locationOf(f)));
    await store.close();
    assert.equal(existsSync(store.root), false);
    store.keep(file('job-a', 2), bytesOf('x'), Promise.resolve('file:///x'));
    await store.settled();
    assert.equal(store.size, 0);
    assert.equal(existsSync(store.root), false);
  });

  test('the root comes from taskmanager.state.local.root-dirs, else taskmanager.tmp.dirs; local-recovery false keeps nothing', async () => {
    const rootDirs = loadConfiguration({ flags: { 'taskmanager.state.local.root-dirs': `${dir}/a, ${dir}/b`, 'taskmanager.tmp.dirs': `${dir}/tmp` } });
    assert.equal(localStateRootOf(rootDirs, 'host:6122-abc123'), join(dir, 'a', 'rivulet-local-state-host_6122-abc123'));
    const tmpDirs = loadConfiguration({ flags: { 'taskmanager.tmp.dirs': `${dir}/tmp` } });
    assert.equal(localStateRootOf(tmpDirs, 'tm-1'), join(dir, 'tmp', 'rivulet-local-state-tm-1'));
    assert.equal(await createLocalStateStore(loadConfiguration({ flags: { 'state.backend.local-recovery': false, 'taskmanager.tmp.dirs': `${dir}/off` } }), 'tm-1', silentLogger()), undefined);
    assert.equal(existsSync(join(dir, 'off')), false);
    const on = await createLocalStateStore(tmpDirs, 'tm-1', silentLogger());
    assert.ok(on);
    assert.equal(existsSync(on.root), true);
    await on.close();
  });
});

// ---------------------------------------------------------------------------
// Through the persister and the restore reader, on real filesystem checkpoint storage.

/** Bytes of key group g's state (s = 0) or timers (s = 1): distinct per group and long enough to matter. */
const groupBytes = (g: number, s: number): Uint8Array => Buffer.from(`${s === 0 ? 'state' : 'timers'} of group ${g};`.repeat(10 + g));

function snapshotOf(groups: readonly number[], s: number): KeyGroupSnapshot {
  return { keyGroups: groups, encode: (g) => groupBytes(g, s), release: () => undefined };
}

interface Acknowledged { readonly keyedState: KeyGroupStateHandle[]; readonly timers: KeyGroupStateHandle[] }

/** A JobManager connection that records acknowledgements (and fails the test on a decline). */
function recordingConnection(acks: Acknowledged[]): JobManagerConnection {
  const client = {
    AcknowledgeCheckpoint(request: { stateHandles: Buffer }, _metadata: unknown, _options: unknown, callback: (err: null, response: object) => void) {
      const operator = decodeSubtaskStateSnapshot(request.stateHandles).operators[0]!;
      acks.push({ keyedState: [...operator.keyedState], timers: [...operator.timers] });
      callback(null, {});
      return { cancel: () => undefined };
    },
    DeclineCheckpoint(request: { reason: string }) {
      throw new Error(`declined: ${request.reason}`);
    },
  };
  return { registration: { client, registrationId: 'r-1', target: 'test' } } as unknown as JobManagerConnection;
}

const descriptorOf = (subtaskIndex: number): TaskDeploymentDescriptor =>
  ({ jobId: 'job-1', executionAttemptId: `attempt-${subtaskIndex}`, vertexName: 'Count', subtaskIndex, parallelism: 2 }) as TaskDeploymentDescriptor;

describe('restoring with local copies', () => {
  const checkpoints = `file://${join(dir, 'checkpoints')}`;
  const config = loadConfiguration({ flags: { 'execution.checkpointing.dir': checkpoints } });
  const { log, lines } = capturingLogger();
  const provider = new StorageProvider(config, silentLogger());
  let store: TaskLocalStateStore;
  const acks: Acknowledged[] = [];
  const here = [0, 1, 2, 3], elsewhere = [4, 5, 6, 7];

  before(async () => {
    store = new TaskLocalStateStore(newRoot(), silentLogger());
    await store.open();
    provider.useLocalState(store);
    const storageOf = (root: string | null) => (root === null ? provider.checkpoints() : provider.forRoot(root));
    // Subtask 0 ran on this TaskManager, subtask 1 on another (no local copies).
    const thisTaskManager = new CheckpointPersister(storageOf, new GrpcCheckpointResponder(recordingConnection(acks), silentLogger()), silentLogger(), store);
    const otherTaskManager = new CheckpointPersister(storageOf, new GrpcCheckpointResponder(recordingConnection(acks), silentLogger()), silentLogger());
    const barrier = { checkpointId: 5, timestamp: Date.now(), savepoint: false };
    await thisTaskManager.persist(descriptorOf(0), barrier, [{ operatorId: 'counts', keyedState: snapshotOf(here, 0), timers: snapshotOf(here, 1) }], undefined);
    await otherTaskManager.persist(descriptorOf(1), barrier, [{ operatorId: 'counts', keyedState: snapshotOf(elsewhere, 0), timers: snapshotOf(elsewhere, 1) }], undefined);
    await store.settled();
    assert.equal(acks.length, 2);
  });
  after(async () => {
    await provider.close();
  });

  /** One subtask owning every group after a rescale 2 -> 1. */
  const restoreOf = (storageUri: string, folder: string, checkpointId = 5): TaskRestore => ({
    checkpointId,
    storageUri,
    folder,
    operators: [{ operatorId: 'counts', keyedState: acks.flatMap((a) => a.keyedState), timers: acks.flatMap((a) => a.timers), operatorStates: [] }],
  });

  const bytesIn = (groups: readonly number[]): number => groups.reduce((n, g) => n + groupBytes(g, 0).byteLength + groupBytes(g, 1).byteLength, 0);

  function assertRestoredExactly(restored: Awaited<ReturnType<typeof readRestoredState>>): void {
    const groups = restored.keyGroups.get('counts');
    assert.ok(groups);
    assert.deepEqual([...groups.keys()].sort((a, b) => a - b), [...here, ...elsewhere]);
    for (const g of [...here, ...elsewhere]) {
      assert.deepEqual(Buffer.from(groups.get(g)!.keyedState!), Buffer.from(groupBytes(g, 0)), `state of group ${g}`);
      assert.deepEqual(Buffer.from(groups.get(g)!.timers!), Buffer.from(groupBytes(g, 1)), `timers of group ${g}`);
    }
  }

  test('the groups this TaskManager wrote are read locally, the others from checkpoint storage, byte for byte', async () => {
    assert.equal(store.size, 1, 'one local state file: subtask 0\'s');
    const restored = await readRestoredState(restoreOf(checkpoints, 'job-1/chk-5'), provider, log);
    assertRestoredExactly(restored);
    assert.deepEqual(restored.stats, { localHandles: 8, remoteHandles: 8, localBytes: bytesIn(here), remoteBytes: bytesIn(elsewhere) });
    const logged = lines().filter((l) => l.msg === 'state restored').at(-1);
    assert.deepEqual(
      { level: logged?.level, localBytes: logged?.localBytes, remoteBytes: logged?.remoteBytes, localHandles: logged?.localHandles, remoteHandles: logged?.remoteHandles },
      { level: 'info', ...restored.stats },
    );
  });

  test('the same files named through the checkpoint\'s folder as the root are found too', async () => {
    const restored = await readRestoredState(restoreOf(`${checkpoints}/job-1/chk-5`, ''), provider, log);
    assertRestoredExactly(restored);
    assert.equal(restored.stats.localHandles, 8);
  });

  test('a restore from another checkpoint id reads everything from checkpoint storage', async () => {
    const restored = await readRestoredState(restoreOf(checkpoints, 'job-1/chk-5', 4), provider, log);
    assertRestoredExactly(restored);
    assert.deepEqual(restored.stats, { localHandles: 0, remoteHandles: 16, localBytes: 0, remoteBytes: bytesIn([...here, ...elsewhere]) });
  });

  test('root-relative handles (entropy) are looked up by their path under the checkpoint storage root', async () => {
    const storage = provider.checkpoints();
    const path = 'x1y2/job-2/chk-9/counts/0/state-0';
    const bytes = Buffer.from('root-relative bytes');
    await storage.put(path, bytes);
    store.keep({ jobId: 'job-2', checkpointId: 9, operatorId: 'counts', subtaskIndex: 0, fileIndex: 0 }, bytes, Promise.resolve(stateFileLocation(storage, 'job-2/chk-9', path, true)));
    await store.settled();
    const restore: TaskRestore = {
      checkpointId: 9,
      storageUri: checkpoints,
      folder: 'job-2/chk-9',
      operators: [{ operatorId: 'counts', keyedState: [{ keyGroup: 0, path, offset: 5, length: 8, rootRelative: true }], timers: [], operatorStates: [] }],
    };
    const restored = await readRestoredState(restore, provider, log);
    assert.equal(Buffer.from(restored.keyGroups.get('counts')!.get(0)!.keyedState!).toString(), 'relative');
    assert.deepEqual(restored.stats, { localHandles: 1, remoteHandles: 0, localBytes: 8, remoteBytes: 0 });
  });

  test('a savepoint is not copied locally', async () => {
    const before = store.size;
    const savepoint = `file://${join(dir, 'savepoints', 'sp-1')}`;
    await new CheckpointPersister((root) => (root === null ? provider.checkpoints() : provider.forRoot(root)), new GrpcCheckpointResponder(recordingConnection([]), silentLogger()), silentLogger(), store)
      .persist(descriptorOf(0), { checkpointId: 6, timestamp: Date.now(), savepoint: true }, [{ operatorId: 'counts', keyedState: snapshotOf(here, 0) }], { root: savepoint, folder: '' });
    await store.settled();
    assert.equal(store.size, before);
    assert.equal(existsSync(join(store.root, 'job-1', 'chk-6')), false);
  });

  test('a local copy shorter than a handle needs falls back to checkpoint storage with a warning', async () => {
    const location = stateFileLocation(provider.checkpoints(), 'job-1/chk-5', acks[0]!.keyedState[0]!.path, false);
    const local = store.lookup(5, location);
    assert.ok(local);
    truncateSync(local, 10);
    const restored = await readRestoredState(restoreOf(checkpoints, 'job-1/chk-5'), provider, log);
    assertRestoredExactly(restored);
    assert.deepEqual(restored.stats, { localHandles: 0, remoteHandles: 16, localBytes: 0, remoteBytes: bytesIn([...here, ...elsewhere]) });
    const warnings = lines().filter((l) => l.msg === 'local state copy unreadable; reading from checkpoint storage');
    assert.equal(warnings.length, 1, 'one warning: the unreadable copy leaves the index');
    assert.equal(warnings[0]?.level, 'warn');
    assert.equal(store.lookup(5, location), undefined);
  });
});
