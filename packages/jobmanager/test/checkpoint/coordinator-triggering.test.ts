import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CheckpointFailedError, StandaloneCheckpointIdCounter, StandaloneCompletedCheckpointStore } from '../../src/checkpoint/index.js';
import { FakeTimers, Harness, JOB_ID, twoVertexPlan } from './fakes.js';

/** Trigger times relative to `start`, in ms. */
const triggerTimes = (h: Harness, start: number): number[] => h.triggers.map((t) => t.timestamp - start);

describe('checkpoint triggering', () => {
  test('periodic checkpoints every interval once the scheduler starts, none after it stops', async () => {
    const h = new Harness({ config: { intervalMs: 1000 } });
    const start = h.timers.now();
    await h.timers.advance(5000);
    assert.equal(h.triggers.length, 0, 'nothing before startCheckpointScheduler');
    h.coordinator.startCheckpointScheduler();
    for (let i = 0; i < 3; i++) {
      await h.timers.advance(1000);
      await h.acknowledgeAll(h.lastId);
    }
    assert.deepEqual(triggerTimes(h, start), [6000, 7000, 8000]);
    assert.deepEqual(h.triggers.map((t) => t.checkpointId), [1, 2, 3]);
    await h.coordinator.stopCheckpointScheduler('job is RESTARTING');
    await h.timers.advance(10_000);
    assert.equal(h.triggers.length, 3);
    assert.equal(h.timers.armed, 0, 'no timer left armed');
  });

  test('no interval: no periodic checkpoints, on-demand ones still work', async () => {
    const h = new Harness({ config: { intervalMs: null } });
    h.coordinator.startCheckpointScheduler();
    await h.timers.advance(60_000);
    assert.equal(h.triggers.length, 0);
    const { id, done } = await h.triggerNow();
    await h.acknowledgeAll(id);
    await done;
  });

  test('max-concurrent 1: a periodic trigger waits for the pending checkpoint, then starts at once', async () => {
    const h = new Harness({ config: { intervalMs: 1000, timeoutMs: 60_000 } });
    const start = h.timers.now();
    h.coordinator.startCheckpointScheduler();
    await h.timers.advance(3500);
    assert.deepEqual(triggerTimes(h, start), [1000], 'ticks at 2000 and 3000 wait (merged into one request)');
    await h.acknowledgeAll(1);
    assert.deepEqual(triggerTimes(h, start), [1000, 3500]);
    await h.timers.advance(999);
    await h.acknowledgeAll(2);
    await h.timers.advance(1);
    assert.deepEqual(triggerTimes(h, start), [1000, 3500, 4500], 'the schedule continues one interval after the last trigger');
  });

  test('max-concurrent 2: two checkpoints in flight; a newer completion subsumes the older', async () => {
    const h = new Harness({ config: { intervalMs: 1000, maxConcurrentCheckpoints: 2, timeoutMs: 60_000 } });
    const start = h.timers.now();
    h.coordinator.startCheckpointScheduler();
    await h.timers.advance(4000);
    assert.deepEqual(triggerTimes(h, start), [1000, 2000]);
    assert.equal(h.coordinator.numberOfPendingCheckpoints, 2);
    await h.acknowledgeAll(2);
    await h.coordinator.idle();
    assert.equal(h.coordinator.latestCompletedCheckpoint()?.checkpointId, 2);
    const failed = h.coordinator.statistics.recent().find((c) => c.id === 1);
    assert.equal(failed?.status, 'FAILED');
    assert.equal(failed?.failure?.reason, 'CHECKPOINT_SUBSUMED');
    assert.deepEqual(h.failures, [], 'a subsumed checkpoint does not count as a failure');
    assert.deepEqual(triggerTimes(h, start), [1000, 2000, 4000]);
  });

  test('min-pause: the next periodic checkpoint waits min-pause after the last one ended', async () => {
    const h = new Harness({ config: { intervalMs: 1000, minPauseMs: 800, timeoutMs: 60_000 } });
    const start = h.timers.now();
    h.coordinator.startCheckpointScheduler();
    await h.timers.advance(1000);
    await h.timers.advance(1500); // checkpoint 1 takes 1.5 s
    await h.acknowledgeAll(1);
    assert.deepEqual(triggerTimes(h, start), [1000]);
    await h.timers.advance(799);
    assert.deepEqual(triggerTimes(h, start), [1000], 'not before the pause has passed');
    await h.timers.advance(1);
    assert.deepEqual(triggerTimes(h, start), [1000, 3300]);
    await h.acknowledgeAll(2); // ends at once: the next tick (4300) is past the pause (4100)
    await h.timers.advance(1000);
    assert.deepEqual(triggerTimes(h, start), [1000, 3300, 4300]);
    // A failed checkpoint also starts the pause: declined at 5200, the tick of 5300 waits until 6000.
    await h.timers.advance(900);
    h.coordinator.declineCheckpoint('src-0@1', 3, 'no');
    await h.timers.advance(799);
    assert.deepEqual(triggerTimes(h, start), [1000, 3300, 4300]);
    await h.timers.advance(1);
    assert.deepEqual(triggerTimes(h, start), [1000, 3300, 4300, 6000]);
  });

  test('an on-demand checkpoint ignores min-pause but not max-concurrent', async () => {
    const h = new Harness({ config: { intervalMs: null, minPauseMs: 10_000 } });
    const first = await h.triggerNow();
    const second = h.coordinator.triggerCheckpoint();
    await h.timers.advance(0);
    assert.equal(h.triggers.length, 1, 'waits for the pending checkpoint');
    await h.acknowledgeAll(first.id);
    await first.done;
    await h.timers.advance(0);
    assert.equal(h.triggers.length, 2, 'starts right after, min-pause notwithstanding');
    await h.acknowledgeAll(h.lastId);
    assert.equal((await second).checkpointId, 2);
  });

  test('periodic triggers while a task is not running are skipped, counted as failed, not held against the job', async () => {
    const h = new Harness({ config: { intervalMs: 1000 } });
    h.plan = { kind: 'not-ready', reason: 'task Window (2/2) is FINISHED' };
    h.coordinator.startCheckpointScheduler();
    await h.timers.advance(3000);
    assert.equal(h.triggers.length, 0);
    assert.equal(h.coordinator.statistics.numberOfFailedCheckpoints, 3);
    assert.deepEqual(h.failures, []);
    h.plan = { kind: 'ready', plan: twoVertexPlan(2) };
    await h.timers.advance(1000);
    assert.equal(h.triggers.length, 1);
    assert.equal(h.lastId, 1, 'no id is used by a trigger that did not start');
  });

  test('stopping the scheduler (job not running) aborts pending checkpoints and savepoints without counting them', async () => {
    const h = new Harness({ config: { intervalMs: 1000 } });
    const checkpoint = await h.triggerNow();
    const savepoint = h.coordinator.triggerSavepoint('s3://savepoints');
    savepoint.catch(() => undefined);
    await h.timers.advance(0);
    assert.equal(h.coordinator.numberOfPendingCheckpoints, 2);
    await h.coordinator.stopCheckpointScheduler('task Window (1/2) failed');
    for (const done of [checkpoint.done, savepoint]) {
      await assert.rejects(done, (err: unknown) => {
        assert.ok(err instanceof CheckpointFailedError);
        assert.equal(err.failure.reason, 'CHECKPOINT_COORDINATOR_SUSPEND');
        assert.match(err.message, /failed: job not running: task Window \(1\/2\) failed$/);
        return true;
      });
    }
    assert.equal(h.coordinator.numberOfPendingCheckpoints, 0);
    assert.deepEqual(h.failures, []);
    await h.coordinator.idle();
    assert.deepEqual(h.storage.paths(JOB_ID), []);
  });

  test('a trigger being set up when the job leaves RUNNING is dropped, not sent with a stale plan', async () => {
    let release: () => void = () => undefined;
    const inner = new StandaloneCheckpointIdCounter();
    const slowCounter = {
      getAndIncrement: async () => {
        await new Promise<void>((resolve) => { release = resolve; });
        return inner.getAndIncrement();
      },
      get: () => inner.get(),
      advanceTo: (next: number) => inner.advanceTo(next),
    };
    const h = new Harness({ counter: slowCounter });
    const done = h.coordinator.triggerCheckpoint();
    await h.timers.advance(0);
    await h.coordinator.stopCheckpointScheduler('task Source (1/2) failed');
    release();
    await assert.rejects(done, (err: unknown) => err instanceof CheckpointFailedError && err.failure.reason === 'CHECKPOINT_COORDINATOR_SUSPEND');
    assert.equal(h.triggers.length, 0);
    assert.equal(h.coordinator.numberOfPendingCheckpoints, 0);
    assert.deepEqual(h.failures, []);
  });

  test('checkpoint ids never go back, across coordinator restarts and restores', async () => {
    const counter = new StandaloneCheckpointIdCounter();
    const timers = new FakeTimers();
    const store = new StandaloneCompletedCheckpointStore(1);
    const first = new Harness({ counter, timers, store });
    for (let i = 0; i < 2; i++) {
      const { id, done } = await first.triggerNow();
      await first.acknowledgeAll(id);
      await done;
    }
    const aborted = await first.triggerNow();
    await first.coordinator.stopCheckpointScheduler('restarting');
    await assert.rejects(aborted.done);
    await first.coordinator.shutdown('SUSPENDED');

    const second = new Harness({ counter, timers });
    const { id, done } = await second.triggerNow();
    assert.equal(id, 4, 'the aborted checkpoint 3 is not reused');
    await second.acknowledgeAll(id);
    await done;
    await counter.advanceTo(2);
    assert.equal(await counter.get(), 5, 'advanceTo never lowers the counter');
    await counter.advanceTo(10);
    assert.equal(await counter.getAndIncrement(), 10);
    assert.equal(await counter.getAndIncrement(), 11);
  });

  test('shutdown aborts what is pending and rejects later triggers', async () => {
    const h = new Harness();
    const pending = await h.triggerNow();
    await h.coordinator.shutdown('CANCELED');
    const err = await pending.done.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof CheckpointFailedError);
    assert.equal(err.failure.reason, 'CHECKPOINT_COORDINATOR_SHUTDOWN');
    assert.equal(err.failure.message, 'checkpoint coordinator stopped: job CANCELED');
    await assert.rejects(h.coordinator.triggerCheckpoint(), CheckpointFailedError);
    assert.deepEqual(h.failures, []);
  });
});
