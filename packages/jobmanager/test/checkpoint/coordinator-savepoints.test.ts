import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMetadata } from '@rivulet/common';
import { CheckpointFailedError, type ExternalizedCheckpointRetention, type JobEndStatus } from '../../src/checkpoint/index.js';
import { Harness, JOB_ID } from './fakes.js';

async function completeCheckpoint(h: Harness): Promise<number> {
  const { id, done } = await h.triggerNow();
  await h.acknowledgeAll(id);
  await done;
  return id;
}

async function savepoint(h: Harness, dir: string, terminate = false): Promise<string> {
  const done = h.coordinator.triggerSavepoint(dir, { terminate });
  done.catch(() => undefined);
  await h.timers.advance(0);
  await h.acknowledgeAll(h.lastId);
  return done;
}

describe('savepoints', () => {
  test('triggerSavepoint resolves with the savepoint path; its files and metadata are in the target directory', async () => {
    const h = new Harness();
    const path = await savepoint(h, 's3://savepoints/job-x/');
    assert.equal(path, `s3://savepoints/job-x/savepoint-${JOB_ID.slice(0, 6)}-r1`);
    const trigger = h.triggers[0]!;
    assert.equal(trigger.savepoint, true);
    assert.equal(trigger.terminate, false);
    assert.deepEqual(trigger.location, { root: 's3://savepoints/job-x/', folder: `savepoint-${JOB_ID.slice(0, 6)}-r1` });
    const storage = h.savepointStorages.get('s3://savepoints/job-x/')!;
    const metadata = decodeMetadata(await storage.get(`${trigger.location.folder}/_metadata`), path);
    assert.equal(metadata.savepoint, true);
    assert.equal(metadata.checkpointId, 1);
    assert.deepEqual(h.storage.paths(), [], 'nothing went to the checkpoint storage');
  });

  test('an intermediate savepoint neither notifies tasks nor becomes the recovery point; a terminating one notifies', async () => {
    const h = new Harness();
    await completeCheckpoint(h);
    await savepoint(h, 's3://savepoints');
    assert.ok(!h.events.includes('notify-complete 2'));
    assert.equal(h.coordinator.latestCompletedCheckpoint()?.checkpointId, 1);
    await savepoint(h, 's3://savepoints', true);
    assert.equal(h.triggers[2]?.terminate, true);
    assert.ok(h.events.includes('notify-complete 3'));
    const history = (h.coordinator.statistics.toJSON() as { history: { id: number; checkpoint_type: string }[] }).history;
    assert.deepEqual(history.map((c) => [c.id, c.checkpoint_type]), [[3, 'SYNC_SAVEPOINT'], [2, 'SAVEPOINT'], [1, 'CHECKPOINT']]);
  });

  test('a stop with savepoint stops periodic checkpoints (the tasks end with it); if it fails they resume', async () => {
    const h = new Harness({ config: { intervalMs: 1000, timeoutMs: 60_000 } });
    h.coordinator.startCheckpointScheduler();
    await h.timers.advance(1000);
    assert.equal(h.triggers.length, 1, 'a periodic checkpoint');
    const first = h.lastId;
    const stop = h.coordinator.triggerSavepoint('s3://savepoints', { terminate: true });
    stop.catch(() => undefined);
    await h.acknowledgeAll(first);
    await h.timers.advance(0);
    const stopId = h.lastId;
    assert.equal(h.triggers.at(-1)?.terminate, true);
    await h.acknowledgeAll(stopId);
    await stop;
    await h.timers.advance(5000);
    assert.deepEqual(h.triggers.map((t) => t.checkpointId), [first, stopId], 'no periodic checkpoint after the stop\'s savepoint');

    const failing = h.coordinator.triggerSavepoint('s3://savepoints', { terminate: true });
    failing.catch(() => undefined);
    await h.timers.advance(0);
    h.coordinator.declineCheckpoint('src-0@1', h.lastId, 'snapshot failed');
    await assert.rejects(failing, CheckpointFailedError);
    const before = h.triggers.length;
    await h.timers.advance(1000);
    assert.equal(h.triggers.length, before, 'the scheduler had stopped with the completed stop: a failed stop does not start it');
  });

  test('periodic checkpoints resume when the savepoint of a stop fails (the job runs on)', async () => {
    const h = new Harness({ config: { intervalMs: 1000, timeoutMs: 60_000, tolerableFailedCheckpoints: 5 } });
    h.coordinator.startCheckpointScheduler();
    const failing = h.coordinator.triggerSavepoint('s3://savepoints', { terminate: true });
    failing.catch(() => undefined);
    await h.timers.advance(0);
    h.coordinator.declineCheckpoint('src-0@1', h.lastId, 'snapshot failed');
    await assert.rejects(failing, CheckpointFailedError);
    await h.timers.advance(1000);
    assert.equal(h.triggers.length, 2, 'the savepoint, then a periodic checkpoint again');
    assert.equal(h.triggers[1]?.savepoint, false);
  });

  test('savepoints are never deleted: not by retention, not when the job ends', async () => {
    const h = new Harness({ config: { numRetained: 1 } });
    const path = await savepoint(h, 's3://savepoints');
    for (let i = 0; i < 3; i++) await completeCheckpoint(h);
    await h.coordinator.shutdown('FINISHED');
    const storage = h.savepointStorages.get('s3://savepoints')!;
    const folder = path.slice('s3://savepoints/'.length);
    assert.ok(await storage.exists(`${folder}/_metadata`));
    assert.ok(!h.events.some((e) => e.startsWith('delete s3://savepoints')));
  });

  test('a savepoint goes ahead of max-concurrent, and its failure does not count against the job', async () => {
    const h = new Harness({ config: { tolerableFailedCheckpoints: 0 } });
    const checkpoint = await h.triggerNow();
    const done = h.coordinator.triggerSavepoint('s3://savepoints');
    await h.timers.advance(0);
    assert.equal(h.coordinator.numberOfPendingCheckpoints, 2);
    h.coordinator.declineCheckpoint('win-0@1', 2, 'savepoint upload failed');
    await assert.rejects(done, (err: unknown) => {
      assert.ok(err instanceof CheckpointFailedError);
      assert.equal(err.message, 'savepoint 2 failed: declined by task Window (1/2): savepoint upload failed');
      return true;
    });
    assert.deepEqual(h.failures, []);
    await h.coordinator.idle();
    assert.ok(h.events.includes(`delete s3://savepoints:savepoint-${JOB_ID.slice(0, 6)}-r1`), 'the failed savepoint folder is deleted');
    await h.acknowledgeAll(checkpoint.id);
    await checkpoint.done;
  });

  test('an unusable savepoint directory fails the trigger with a stated reason', async () => {
    const h = new Harness();
    await assert.rejects(h.coordinator.triggerSavepoint('ftp://nowhere'), /^CheckpointFailedError: savepoint failed: cannot use savepoint directory ftp:\/\/nowhere: unsupported scheme in ftp:\/\/nowhere$/);
  });
});

describe('externalized checkpoint retention when the job ends', () => {
  const cases: [JobEndStatus, ExternalizedCheckpointRetention, boolean][] = [
    ['FINISHED', 'RETAIN_ON_CANCELLATION', false],
    ['CANCELED', 'NO_EXTERNALIZED_CHECKPOINTS', false],
    ['CANCELED', 'DELETE_ON_CANCELLATION', false],
    ['CANCELED', 'RETAIN_ON_CANCELLATION', true],
    ['FAILED', 'NO_EXTERNALIZED_CHECKPOINTS', false],
    ['FAILED', 'DELETE_ON_CANCELLATION', true],
    ['FAILED', 'RETAIN_ON_CANCELLATION', true],
    ['SUSPENDED', 'NO_EXTERNALIZED_CHECKPOINTS', true],
  ];
  for (const [status, retention, kept] of cases) {
    test(`${status} with ${retention}: checkpoints ${kept ? 'kept' : 'deleted'}`, async () => {
      const h = new Harness({ config: { externalizedRetention: retention, numRetained: 2 } });
      await completeCheckpoint(h);
      await completeCheckpoint(h);
      await h.coordinator.shutdown(status);
      if (kept) {
        assert.ok(await h.storage.exists(`${JOB_ID}/chk-1/_metadata`));
        assert.ok(await h.storage.exists(`${JOB_ID}/chk-2/_metadata`));
      } else {
        assert.deepEqual(h.storage.paths(), []);
        assert.ok(h.events.includes(`delete ${JOB_ID}`), 'the job folder goes too');
      }
    });
  }
});
