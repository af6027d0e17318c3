import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { encodeSubtaskStateSnapshot } from '@rivulet/common';
import { CheckpointFailedError } from '../../src/checkpoint/index.js';
import { Harness, JOB_ID, twoVertexPlan } from './fakes.js';

async function rejection(promise: Promise<unknown>): Promise<CheckpointFailedError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof CheckpointFailedError, String(err));
    return err;
  }
  assert.fail('expected the checkpoint to fail');
}

const lastFailure = (h: Harness): Record<string, unknown> =>
  (h.coordinator.statistics.toJSON() as { latest: { failed: Record<string, unknown> } }).latest.failed;

describe('checkpoint failures', () => {
  test('a checkpoint not acknowledged in time expires: aborted, folder deleted, tasks told, reason states the timeout', async () => {
    const h = new Harness({ config: { timeoutMs: 5000, tolerableFailedCheckpoints: 5 } });
    const { id, done } = await h.triggerNow();
    await h.acknowledgeAll(id, ['win-1@1']);
    await h.timers.advance(4999);
    assert.equal(h.coordinator.numberOfPendingCheckpoints, 1);
    await h.timers.advance(1);
    const err = await rejection(done);
    assert.equal(err.failure.reason, 'CHECKPOINT_EXPIRED');
    assert.match(err.message, /^checkpoint 1 failed: timeout: not completed within 5 s \(execution\.checkpointing\.timeout\); no acknowledgement from Window \(2\/2\)$/);
    await h.coordinator.idle();
    assert.equal(h.coordinator.numberOfPendingCheckpoints, 0);
    assert.ok(h.events.includes('notify-aborted 1'));
    assert.ok(h.events.includes(`delete ${JOB_ID}/chk-1`));
    assert.deepEqual(h.storage.paths(`${JOB_ID}/chk-1`), []);
    assert.equal(lastFailure(h)['failure_message'], err.failure.message);
    assert.equal(h.failures.length, 0, 'within tolerable-failed-checkpoints');
  });

  test('a decline aborts the checkpoint naming the task and its reason', async () => {
    const h = new Harness({ config: { tolerableFailedCheckpoints: 1 } });
    const { id, done } = await h.triggerNow();
    assert.equal(h.coordinator.declineCheckpoint('win-0@1', id, 'uploading state failed: connect ECONNREFUSED'), 'aborted');
    const err = await rejection(done);
    assert.equal(err.failure.reason, 'CHECKPOINT_DECLINED');
    assert.equal(err.failure.message, 'declined by task Window (1/2): uploading state failed: connect ECONNREFUSED');
    assert.equal(h.coordinator.declineCheckpoint('win-0@1', id, 'again'), 'unknown-checkpoint');
    assert.equal(h.failures.length, 0);
  });

  test('a decline by a task that is finishing (task closing) aborts the checkpoint without counting as a failure', async () => {
    const h = new Harness({ config: { tolerableFailedCheckpoints: 0 } });
    const { id, done } = await h.triggerNow();
    assert.equal(h.coordinator.declineCheckpoint('src-0@1', id, 'Source (1/2) was stopped with savepoint 3 and is finishing', true), 'aborted');
    const err = await rejection(done);
    assert.equal(err.failure.reason, 'CHECKPOINT_DECLINED_TASK_CLOSING');
    assert.equal(err.failure.message, 'declined by task Source (1/2): Source (1/2) was stopped with savepoint 3 and is finishing');
    assert.deepEqual(h.failures, [], 'not counted, even with no failure tolerated');
    const next = await h.triggerNow();
    h.coordinator.declineCheckpoint('src-0@1', next.id, 'disk full');
    await rejection(next.done);
    assert.equal(h.failures.length, 1, 'an ordinary decline still counts');
  });

  test('failures beyond tolerable-failed-checkpoints fail the job with the reason; a success resets the count', async () => {
    const h = new Harness({ config: { tolerableFailedCheckpoints: 2 } });
    const fail = async (): Promise<void> => {
      const { id, done } = await h.triggerNow();
      h.coordinator.declineCheckpoint('src-0@1', id, 'disk full');
      await rejection(done);
    };
    await fail();
    await fail();
    const { id, done } = await h.triggerNow();
    await h.acknowledgeAll(id);
    await done;
    await fail();
    await fail();
    assert.deepEqual(h.failures, [], 'two consecutive failures are tolerated');
    await fail();
    assert.equal(h.failures.length, 1);
    assert.match(h.failures[0]!, /^Exceeded checkpoint tolerable failure threshold: 3 consecutive checkpoint failures, 2 tolerated \(execution\.checkpointing\.tolerable-failed-checkpoints\); last: checkpoint 6 declined by task Source \(1\/2\): disk full$/);
  });

  test('with 0 tolerated, the first counted failure fails the job; not-running and trigger failures do not count', async () => {
    const h = new Harness();
    h.plan = { kind: 'not-ready', reason: 'task Window (1/2) is DEPLOYING' };
    const notRunning = await rejection(h.coordinator.triggerCheckpoint());
    assert.equal(notRunning.failure.reason, 'NOT_ALL_REQUIRED_TASKS_RUNNING');
    assert.equal(notRunning.message, 'checkpoint failed: job not running: task Window (1/2) is DEPLOYING');
    h.plan = { kind: 'ready', plan: twoVertexPlan(2) };
    h.triggerError = new Error('TaskManager tm-1 unreachable');
    const triggerFailure = await rejection(h.coordinator.triggerCheckpoint());
    assert.equal(triggerFailure.failure.message, 'triggering the sources failed: TaskManager tm-1 unreachable');
    assert.deepEqual(h.failures, []);
    h.triggerError = undefined;
    const { id, done } = await h.triggerNow();
    h.coordinator.declineCheckpoint('src-1@1', id, 'snapshot upload failed');
    await rejection(done);
    assert.equal(h.failures.length, 1);
  });

  test('a storage failure writing the metadata fails the checkpoint with a stated reason and leaves no folder', async () => {
    const h = new Harness({ config: { tolerableFailedCheckpoints: 3 } });
    const { id, done } = await h.triggerNow();
    h.storage.failPuts = { match: /_metadata$/, error: new Error('connect ECONNREFUSED 127.0.0.1:9000') };
    await h.acknowledgeAll(id);
    const err = await rejection(done);
    assert.equal(err.failure.reason, 'FINALIZE_CHECKPOINT_FAILURE');
    assert.equal(
      err.failure.message,
      `storage failure writing metadata s3://bucket/checkpoints/${JOB_ID}/chk-1/_metadata: connect ECONNREFUSED 127.0.0.1:9000`,
    );
    await h.coordinator.idle();
    assert.deepEqual(h.storage.paths(`${JOB_ID}/chk-1`), []);
    assert.equal(h.coordinator.latestCompletedCheckpoint(), undefined);
    assert.ok(!h.events.includes('notify-complete 1'));
  });

  test('the last completed checkpoint stays usable while later ones fail', async () => {
    const h = new Harness({ config: { tolerableFailedCheckpoints: 1 } });
    const first = await h.triggerNow();
    await h.acknowledgeAll(first.id);
    await first.done;
    h.storage.failPuts = { match: /./, error: new Error('endpoint down') };
    const second = await h.triggerNow();
    await h.acknowledgeAll(second.id).catch(() => undefined);
    h.coordinator.declineCheckpoint('win-0@1', second.id, 'upload failed: endpoint down');
    await rejection(second.done);
    await h.coordinator.idle();
    assert.equal(h.coordinator.latestCompletedCheckpoint()?.checkpointId, 1);
    assert.ok(await h.storage.exists(`${JOB_ID}/chk-1/_metadata`));
    assert.deepEqual(h.failures, []);
  });

  test('expiring while the metadata is written: aborted, and the metadata does not outlive the abort', async () => {
    const h = new Harness({ config: { timeoutMs: 1000, tolerableFailedCheckpoints: 1 } });
    const { id, done } = await h.triggerNow();
    h.storage.holdPuts = /_metadata$/;
    await h.acknowledgeAll(id);
    await h.timers.advance(1000);
    const err = await rejection(done);
    assert.match(err.failure.message, /still writing its metadata/);
    h.storage.release();
    await h.coordinator.idle();
    assert.deepEqual(h.storage.paths(`${JOB_ID}/chk-1`), []);
    const events = h.events.filter((e) => e.includes('chk-1/_metadata') || e === `delete ${JOB_ID}/chk-1`);
    assert.deepEqual(events.slice(-2), [`put ${JOB_ID}/chk-1/_metadata`, `delete ${JOB_ID}/chk-1`], 'deleted after the write settled');
    assert.equal(h.coordinator.latestCompletedCheckpoint(), undefined);
  });

  test('malformed or mismatching acknowledgements abort the checkpoint', async () => {
    const h = new Harness({ config: { tolerableFailedCheckpoints: 5 } });
    let { id, done } = await h.triggerNow();
    assert.equal(h.coordinator.acknowledgeCheckpoint('src-0@1', id, new TextEncoder().encode('{"format":')), 'invalid');
    let err = await rejection(done);
    assert.equal(err.failure.reason, 'INVALID_ACKNOWLEDGEMENT');
    assert.match(err.failure.message, /^invalid acknowledgement from task Source \(1\/2\): subtask state snapshot is not JSON/);

    ({ id, done } = await h.triggerNow());
    const notOwned = h.currentPlan.table.keyGroupsOf('1')[0]!;
    const snapshot = encodeSubtaskStateSnapshot({
      format: 'rivulet.subtask-state.v1',
      operators: [{ operatorId: 'window', keyedState: [{ keyGroup: notOwned, path: 'window/0/state', offset: 0, length: 1 }], timers: [], operatorState: null, stateSize: 1 }],
    });
    assert.equal(h.coordinator.acknowledgeCheckpoint('win-0@1', id, snapshot), 'invalid');
    err = await rejection(done);
    assert.equal(err.failure.message, `invalid acknowledgement from task Window (1/2): operator "window": key group ${notOwned} is not owned by subtask 0`);
  });

  test('stale acknowledgements are ignored: unknown checkpoint, old attempt, duplicate; late state of an aborted checkpoint is deleted', async () => {
    const h = new Harness({ config: { tolerableFailedCheckpoints: 5 } });
    const empty = new Uint8Array();
    assert.equal(h.coordinator.acknowledgeCheckpoint('src-0@1', 42, empty), 'unknown-checkpoint');

    const first = await h.triggerNow();
    h.coordinator.declineCheckpoint('src-0@1', first.id, 'no');
    await rejection(first.done);
    await h.coordinator.idle();
    // The task finishes uploading after the abort and acknowledges: its files are deleted again.
    const late = await h.snapshotOf('win-0@1', first.id);
    assert.ok(h.storage.paths(`${JOB_ID}/chk-1/`).length > 0);
    assert.equal(h.coordinator.acknowledgeCheckpoint('win-0@1', first.id, late), 'late');
    await h.coordinator.idle();
    assert.deepEqual(h.storage.paths(`${JOB_ID}/chk-1`), []);

    const { id, done } = await h.triggerNow();
    assert.equal(h.coordinator.acknowledgeCheckpoint('src-0@0', id, empty), 'unknown-task', 'an attempt of an earlier run');
    assert.equal(h.coordinator.declineCheckpoint('win-1@0', id, 'stale'), 'unknown-task');
    assert.equal(h.coordinator.acknowledgeCheckpoint('src-0@1', id, await h.snapshotOf('src-0@1', id)), 'accepted');
    assert.equal(h.coordinator.acknowledgeCheckpoint('src-0@1', id, await h.snapshotOf('src-0@1', id)), 'duplicate');
    assert.equal(h.coordinator.statistics.recent()[0]?.numAcknowledgedSubtasks, 1);
    await h.acknowledgeAll(id, ['src-0@1']);
    await done;
    assert.equal(h.coordinator.acknowledgeCheckpoint('src-1@1', id, empty), 'unknown-checkpoint', 'after completion');
    assert.equal(h.coordinator.latestCompletedCheckpoint()?.checkpointId, id);
  });
});
