import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CommitRequest, Committer } from '@rivulet/api';
import { CommittableQueue, CommitFailedError } from '../../../../src/slot/task/sinks/committable-queue.js';

/** A committer that records each commit call and answers each request as `answer` says. */
function recordingCommitter(answer: (request: CommitRequest<string>) => void = () => undefined): Committer<string> & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    async commit(requests) {
      calls.push(requests.map((r) => r.committable));
      for (const request of requests) answer(request);
    },
  };
}

describe('commit bookkeeping of the Sink API', () => {
  test('commits checkpoint by checkpoint in order, only up to the completed one', async () => {
    const queue = new CommittableQueue<string>('sink test');
    queue.add(1, ['a', 'b']);
    queue.add(2, ['c']);
    queue.add(3, ['d']);
    const committer = recordingCommitter();
    assert.deepEqual(await queue.commitUpTo(2, committer), { committed: 3, retrying: 0 });
    assert.deepEqual(committer.calls, [['a', 'b'], ['c']], 'one call per checkpoint, oldest first, in prepareCommit order');
    assert.deepEqual(queue.snapshot().map((p) => p.committable), ['d']);
    await queue.commitUpTo(2, committer);
    assert.equal(committer.calls.length, 2, 'nothing more is due for checkpoint 2');
  });

  test('retryLater and updateAndRetryLater keep a committable for the next round, counting its retries', async () => {
    const queue = new CommittableQueue<string>('sink test');
    queue.add(1, ['retry', 'update', 'done']);
    const seenRetries: number[] = [];
    const committer = recordingCommitter((r) => {
      seenRetries.push(r.numberOfRetries);
      if (r.committable === 'retry' && r.numberOfRetries < 2) r.retryLater();
      if (r.committable === 'update') r.updateAndRetryLater('updated');
    });
    assert.deepEqual(await queue.commitUpTo(1, committer), { committed: 1, retrying: 2 });
    assert.deepEqual(queue.snapshot(), [
      { checkpointId: 1, committable: 'retry', numberOfRetries: 1 },
      { checkpointId: 1, committable: 'updated', numberOfRetries: 1 },
    ]);
    queue.add(2, ['later']);
    await queue.commitUpTo(2, committer);
    assert.deepEqual(committer.calls[1], ['retry', 'updated'], 'retries go first, with the updated value');
    assert.deepEqual(committer.calls[2], ['later']);
    assert.deepEqual(queue.snapshot().map((p) => p.committable), ['retry'], 'the updated committable was committed');
    await queue.commitUpTo(2, committer);
    assert.equal(queue.size, 0);
    assert.deepEqual(seenRetries, [0, 0, 0, 1, 1, 0, 2]);
  });

  test('a known failure throws an error naming the sink and the checkpoint; nothing later is committed', async () => {
    const queue = new CommittableQueue<string>("sink 'Orders' (operator 3) (1/2)");
    queue.add(4, ['bad']);
    queue.add(5, ['next']);
    const committer = recordingCommitter((r) => {
      if (r.committable === 'bad') r.signalFailedWithKnownReason(new Error('transaction expired'));
    });
    await assert.rejects(queue.commitUpTo(5, committer), (err: Error) => {
      assert.ok(err instanceof CommitFailedError);
      assert.match(err.message, /sink 'Orders' \(operator 3\) \(1\/2\): committing a committable of checkpoint 4 failed: transaction expired/);
      return true;
    });
    assert.deepEqual(committer.calls, [['bad']]);
    assert.deepEqual(queue.snapshot().map((p) => p.committable), ['bad', 'next']);
  });

  test('committables added while a commit round awaits its committer stay in the queue', async () => {
    const queue = new CommittableQueue<string>('sink test');
    queue.add(1, ['a']);
    let release: () => void = () => undefined;
    const committer: Committer<string> = { commit: () => new Promise<void>((resolve) => (release = resolve)) };
    const round = queue.commitUpTo(1, committer);
    queue.add(2, ['b']); // a barrier while the commit of checkpoint 1 runs
    release();
    await round;
    assert.deepEqual(queue.snapshot(), [{ checkpointId: 2, committable: 'b', numberOfRetries: 0 }]);
  });

  test('a committer that throws fails like an unknown reason', async () => {
    const queue = new CommittableQueue<string>('sink test');
    queue.add(1, ['x']);
    const committer: Committer<string> = { commit: async () => Promise.reject(new Error('disk gone')) };
    await assert.rejects(queue.commitUpTo(1, committer), /checkpoint 1 failed for an unknown reason: disk gone/);
  });

  test('restored committables (several old subtasks, any order) are committed oldest checkpoint first, again if committed before', async () => {
    const visible = new Set<string>();
    const committer: Committer<string> & { already: number } = {
      already: 0,
      async commit(requests) {
        for (const r of requests) {
          if (visible.has(r.committable)) {
            this.already += 1;
            r.signalAlreadyCommitted();
          }
          visible.add(r.committable);
        }
      },
    };
    const first = new CommittableQueue<string>('sink test');
    first.add(7, ['p7']);
    const state = first.snapshot();
    await first.commitUpTo(7, committer); // committed, then the TaskManager dies
    const restored = new CommittableQueue<string>('sink test', [
      { checkpointId: 8, committable: 'q8', numberOfRetries: 0 },
      ...state,
    ]);
    const round = await restored.commitUpTo(Number.MAX_SAFE_INTEGER, committer);
    assert.deepEqual(round, { committed: 2, retrying: 0 });
    assert.equal(committer.already, 1, 'the committable of checkpoint 7 was committed again, idempotently');
    assert.deepEqual([...visible], ['p7', 'q8']);
    assert.equal(restored.size, 0);
  });
});
