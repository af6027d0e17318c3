import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@rivulet/common';
import type { CompletedCheckpoint } from '../../src/checkpoint/index.js';
import { Harness } from './fakes.js';

/** A logger whose lines (parsed) land in `lines`. */
function recordingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { log: createLogger({ component: 'test', level: 'debug', destination }), lines };
}

const allEndedData = (): boolean => true;

describe('the final checkpoint', () => {
  test('a periodic checkpoint in flight that completes as final answers the explicit final trigger (max-concurrent 1)', async () => {
    const { log, lines } = recordingLogger();
    const h = new Harness({ config: { intervalMs: 1000, timeoutMs: 60_000 }, log });
    h.coordinator.startCheckpointScheduler();
    await h.timers.advance(1000);
    assert.equal(h.lastId, 1, 'periodic checkpoint 1 is in flight');

    // Every task ends its data now; the JobMaster asks for the final checkpoint, which waits behind checkpoint 1.
    let final: CompletedCheckpoint | undefined;
    let failure: unknown;
    h.coordinator.triggerFinalCheckpoint().then((c) => { final = c; }, (err: unknown) => { failure = err; });
    // The tasks took checkpoint 1's snapshot after their data ended: checkpoint 1 is the final one.
    await h.acknowledgeAll(1, [], allEndedData);
    await h.coordinator.idle();

    assert.equal(failure, undefined, 'the explicit final trigger does not fail');
    assert.equal(final?.checkpointId, 1, 'it is answered by the periodic checkpoint that completed as final');
    assert.deepEqual(h.finalNotifications, [1], 'the tasks are told once that the final checkpoint completed');
    assert.deepEqual(h.triggers.map((t) => t.checkpointId), [1], 'no second checkpoint is triggered on finishing tasks');
    await h.timers.advance(10_000);
    assert.deepEqual(h.triggers.map((t) => t.checkpointId), [1], 'no periodic checkpoint follows the final one');
    assert.deepEqual(h.failures, []);
    assert.equal(h.events.filter((e) => e.startsWith('notify-aborted')).length, 0);
    assert.deepEqual(lines.filter((l) => l['level'] === 'warn' || l['level'] === 'error'), [], 'nothing is logged as a failure');

    // The job ends: nothing is left to reject.
    await h.coordinator.shutdown('FINISHED');
    assert.equal(failure, undefined);
  });

  test('max-concurrent 2: the explicit final checkpoint already in flight is subsumed, not failed', async () => {
    const { log, lines } = recordingLogger();
    const h = new Harness({ config: { intervalMs: 1000, timeoutMs: 60_000, maxConcurrentCheckpoints: 2 }, log });
    h.coordinator.startCheckpointScheduler();
    await h.timers.advance(1000);
    const done = h.coordinator.triggerFinalCheckpoint();
    await h.timers.advance(0);
    assert.deepEqual(h.triggers.map((t) => t.checkpointId), [1, 2], 'the final trigger runs next to periodic checkpoint 1');

    await h.acknowledgeAll(1, [], allEndedData);
    await h.coordinator.idle();
    assert.equal((await done).checkpointId, 1);
    assert.equal(h.coordinator.numberOfPendingCheckpoints, 0, 'checkpoint 2 could never complete on finishing tasks: it is aborted');
    const latest = h.coordinator.statistics.toJSON()['latest'] as { failed: { id: number; failure_reason: string } | null };
    assert.deepEqual([latest.failed?.id, latest.failed?.failure_reason], [2, 'CHECKPOINT_SUBSUMED']);
    assert.deepEqual(h.failures, []);
    assert.deepEqual(lines.filter((l) => l['level'] === 'warn' || l['level'] === 'error'), []);
  });

  test('a later final trigger (a late end-of-data report) is answered at once; a failover starts over', async () => {
    const h = new Harness({ config: { intervalMs: 1000, timeoutMs: 60_000 } });
    h.coordinator.startCheckpointScheduler();
    await h.timers.advance(1000);
    await h.acknowledgeAll(1, [], allEndedData);
    assert.equal((await h.coordinator.triggerFinalCheckpoint()).checkpointId, 1);
    assert.equal(h.triggers.length, 1);

    // A task fails before finishing: the job restores, and its next final checkpoint is a new one.
    await h.coordinator.stopCheckpointScheduler('job is RESTARTING');
    h.coordinator.startCheckpointScheduler();
    const again = h.coordinator.triggerFinalCheckpoint();
    await h.timers.advance(0);
    assert.equal(h.lastId, 2);
    await h.acknowledgeAll(2, [], allEndedData);
    assert.equal((await again).checkpointId, 2);
  });

  test('a checkpoint that is not final does not answer the final trigger', async () => {
    const h = new Harness({ config: { intervalMs: 1000, timeoutMs: 60_000 } });
    h.coordinator.startCheckpointScheduler();
    await h.timers.advance(1000);
    const done = h.coordinator.triggerFinalCheckpoint();
    const [holdout] = h.currentPlan.tasks;
    await h.acknowledgeAll(1, [], (attempt) => attempt !== holdout!.executionAttemptId);
    assert.deepEqual(h.finalNotifications, []);
    assert.equal(h.lastId, 2, 'the explicit final checkpoint is triggered after the non-final one');
    await h.acknowledgeAll(2, [], allEndedData);
    assert.equal((await done).checkpointId, 2);
    assert.deepEqual(h.finalNotifications, [2]);
  });
});
