import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMetadata, planRestore } from '@rivulet/common';
import { readCheckpointMetadata } from '../../src/checkpoint/index.js';
import { Harness, JOB_ID } from './fakes.js';

const metadataOf = (id: number): string => `${JOB_ID}/chk-${id}/_metadata`;

describe('checkpoint completion', () => {
  test('a checkpoint is final only when every task acknowledged it with its data ended', async () => {
    const h = new Harness();
    const [holdout] = h.currentPlan.tasks;
    const first = await h.triggerNow();
    await h.acknowledgeAll(first.id, [], (attempt) => attempt !== holdout!.executionAttemptId);
    await first.done;
    assert.ok(h.events.includes(`notify-complete ${first.id}`));
    assert.deepEqual(h.finalNotifications, [], 'one task still had data: not final');

    const second = await h.triggerNow();
    await h.acknowledgeAll(second.id, [], () => true);
    await second.done;
    assert.deepEqual(h.finalNotifications, [second.id]);
  });

  test('completes only when every task acknowledged; metadata is written last, then tasks are notified', async () => {
    const h = new Harness();
    const { id, done } = await h.triggerNow();
    assert.equal(id, 1);
    assert.equal(h.triggers[0]?.location.folder, `${JOB_ID}/chk-1`);
    assert.equal(h.triggers[0]?.location.root, null);
    assert.equal(h.triggers[0]?.mode, 'EXACTLY_ONCE');

    const [last, ...others] = h.currentPlan.tasks;
    await h.acknowledgeAll(id, [last!.executionAttemptId]);
    assert.equal(await h.storage.exists(metadataOf(1)), false, 'no metadata while one task has not acknowledged');
    assert.equal(h.coordinator.latestCompletedCheckpoint(), undefined);
    assert.ok(!h.events.includes('notify-complete 1'));
    assert.equal(others.length, 3);

    h.coordinator.acknowledgeCheckpoint(last!.executionAttemptId, id, await h.snapshotOf(last!.executionAttemptId, id));
    const completed = (await done) as { checkpointId: number; externalPath: string };
    assert.equal(completed.checkpointId, 1);
    assert.equal(completed.externalPath, `s3://bucket/checkpoints/${JOB_ID}/chk-1`);

    const checkpointEvents = h.events.filter((e) => e.includes('chk-1') || e.endsWith(' 1'));
    const metadataAt = checkpointEvents.indexOf(`put ${metadataOf(1)}`);
    assert.ok(metadataAt > 0);
    assert.ok(
      checkpointEvents.slice(0, metadataAt).every((e) => e.startsWith('put ') || e === 'trigger 1'),
      'every state file is written before the metadata',
    );
    assert.deepEqual(checkpointEvents.slice(metadataAt), [`put ${metadataOf(1)}`, 'notify-complete 1']);
    assert.equal(h.coordinator.latestCompletedCheckpoint()?.checkpointId, 1);
  });

  test('the metadata holds every operator and subtask, and plans a restore at the same parallelism', async () => {
    const h = new Harness({ parallelism: 3 });
    const { id, done } = await h.triggerNow();
    await h.acknowledgeAll(id);
    await done;
    const metadata = await readCheckpointMetadata(h.storage, `${JOB_ID}/chk-1`, 'chk-1');
    assert.equal(metadata.jobId, JOB_ID);
    assert.equal(metadata.checkpointId, 1);
    assert.equal(metadata.savepoint, false);
    assert.equal(metadata.triggerTimestamp, h.triggers[0]?.timestamp);
    assert.deepEqual(metadata.operators.map((op) => [op.operatorId, op.parallelism, op.keyGroupAssignment !== undefined]), [
      ['source', 3, false],
      ['window', 3, true],
    ]);
    assert.deepEqual(metadata.operators[0]?.subtasks.map((s) => s.operatorState), [{ offset: 100 }, { offset: 101 }, { offset: 102 }]);
    const handles = metadata.operators[1]?.subtasks.flatMap((s) => s.keyedState.map((k) => k.keyGroup)).sort((a, b) => a - b);
    assert.deepEqual(handles, Array.from({ length: 16 }, (_, g) => g), 'every key group has exactly one handle');
    assert.equal(metadata.stateSize, h.coordinator.statistics.lastCheckpointSize);
    // Handles point at files that exist, relative to the checkpoint folder.
    for (const subtask of metadata.operators[1]!.subtasks) {
      for (const handle of subtask.keyedState) assert.ok(await h.storage.exists(`${JOB_ID}/chk-1/${handle.path}`), handle.path);
    }
    const plan = planRestore(metadata, {
      operators: [{ operatorId: 'source', parallelism: 3, keyed: false }, { operatorId: 'window', parallelism: 3, keyed: true }],
      maxParallelism: 16,
    });
    assert.equal(plan.movedKeyGroups, 0);
    assert.ok(plan.operators.get('window')?.keyGroupAssignment?.equals(h.currentPlan.table));
  });

  test('retention keeps num-retained checkpoints and deletes older ones, files and all, before notifying', async () => {
    const h = new Harness({ config: { numRetained: 2 } });
    for (let n = 1; n <= 3; n++) {
      const { id, done } = await h.triggerNow();
      await h.acknowledgeAll(id);
      await done;
    }
    await h.coordinator.idle();
    assert.deepEqual(h.store.all().map((c) => c.checkpointId), [2, 3]);
    assert.deepEqual(h.storage.paths(`${JOB_ID}/chk-1`), [], 'checkpoint 1 is gone, files and all');
    assert.ok(h.storage.paths(`${JOB_ID}/chk-2/`).length > 1);
    assert.ok(h.storage.paths(`${JOB_ID}/chk-3/`).length > 1);
    const order = h.events.filter((e) => [`put ${metadataOf(3)}`, `delete ${JOB_ID}/chk-1`, 'notify-complete 3'].includes(e));
    assert.deepEqual(order, [`put ${metadataOf(3)}`, `delete ${JOB_ID}/chk-1`, 'notify-complete 3']);
    const history = h.coordinator.statistics.toJSON()['history'] as { id: number; discarded: boolean }[];
    assert.deepEqual(history.map((c) => [c.id, c.discarded]), [[3, false], [2, false], [1, true]]);
  });

  test('statistics and their REST shape follow the checkpoint', async () => {
    const h = new Harness();
    const { id, done } = await h.triggerNow();
    const first = h.currentPlan.tasks[0]!.executionAttemptId;
    await h.timers.advance(40);
    h.coordinator.acknowledgeCheckpoint(first, id, await h.snapshotOf(first, id));
    let json = h.coordinator.statistics.toJSON() as {
      counts: Record<string, number>;
      history: Record<string, unknown>[];
      latest: Record<string, unknown>;
    };
    assert.deepEqual(json.counts, { restored: 0, total: 1, in_progress: 1, completed: 0, failed: 0 });
    assert.equal(json.history[0]?.['status'], 'IN_PROGRESS');
    assert.equal(json.history[0]?.['num_acknowledged_subtasks'], 1);
    assert.equal(json.history[0]?.['num_subtasks'], 4);
    assert.equal(h.coordinator.statistics.numberOfInProgressCheckpoints, 1);
    assert.equal(h.coordinator.statistics.lastCheckpointDuration, -1);

    await h.timers.advance(60);
    await h.acknowledgeAll(id, [first]);
    await done;
    json = h.coordinator.statistics.toJSON() as typeof json;
    assert.deepEqual(json.counts, { restored: 0, total: 1, in_progress: 0, completed: 1, failed: 0 });
    const entry = json.history[0]!;
    assert.equal(entry['status'], 'COMPLETED');
    assert.equal(entry['checkpoint_type'], 'CHECKPOINT');
    assert.equal(entry['is_savepoint'], false);
    assert.equal(entry['end_to_end_duration'], 100);
    assert.equal(entry['external_path'], `s3://bucket/checkpoints/${JOB_ID}/chk-1`);
    assert.equal((json.latest['completed'] as { id: number }).id, 1);
    assert.equal(h.coordinator.statistics.lastCheckpointDuration, 100);
    assert.ok(h.coordinator.statistics.lastCheckpointSize > 0);
  });

  test('restoreFromSnapshot makes a savepoint the recovery point, never deleted, and moves the counter past it', async () => {
    const source = new Harness();
    const saved = source.coordinator.triggerSavepoint('s3://savepoints');
    await flushTrigger(source);
    await source.acknowledgeAll(source.lastId);
    const path = await saved;
    const storage = source.savepointStorages.get('s3://savepoints')!;
    const folder = path.slice('s3://savepoints/'.length);
    const metadata = decodeMetadata(await storage.get(`${folder}/_metadata`), path);

    const h = new Harness();
    await h.counter.advanceTo(1);
    const restored = await h.coordinator.restoreFromSnapshot(metadata, { root: 's3://savepoints', folder });
    assert.equal(restored.owned, false);
    assert.equal(h.coordinator.latestCompletedCheckpoint()?.externalPath, path);
    assert.equal(await h.counter.get(), metadata.checkpointId + 1);
    const { id, done } = await h.triggerNow();
    assert.equal(id, metadata.checkpointId + 1);
    await h.acknowledgeAll(id);
    await done;
    await h.coordinator.shutdown('CANCELED');
    assert.ok(!h.events.some((e) => e.startsWith('delete s3://savepoints')), 'the savepoint it started from is never deleted');
    const counts = (h.coordinator.statistics.toJSON() as { counts: { restored: number } }).counts;
    assert.equal(counts.restored, 1);
  });
});

async function flushTrigger(h: Harness): Promise<void> {
  await h.timers.advance(0);
}
