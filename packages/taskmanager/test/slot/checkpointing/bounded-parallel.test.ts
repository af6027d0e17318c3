import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachBounded } from '../../../src/slot/checkpointing/bounded-parallel.js';

describe('forEachBounded', () => {
  test('never more than `concurrency` calls in flight, and it reaches that bound', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await forEachBounded([...Array(20).keys()], 3, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await sleep(1 + (item % 4));
      inFlight -= 1;
      done.push(item);
    });
    assert.equal(most, 3);
    assert.deepEqual(done.sort((a, b) => a - b), [...Array(20).keys()]);
  });

  test('the first failure aborts the others\' signal, starts nothing more and is thrown only once none is in flight', async () => {
    let inFlight = 0;
    const started: number[] = [];
    const aborted: number[] = [];
    const failure = new Error('read 2 failed');
    await assert.rejects(
      forEachBounded([...Array(10).keys()], 3, async (item, signal) => {
        started.push(item);
        inFlight += 1;
        try {
          if (item === 2) {
            await sleep(5);
            throw failure;
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 200);
            signal.addEventListener('abort', () => {
              clearTimeout(timer);
              aborted.push(item);
              setTimeout(resolve, 20); // settles a little after the abort
            }, { once: true });
          });
        } finally {
          inFlight -= 1;
        }
      }),
      (err) => err === failure,
    );
    assert.equal(inFlight, 0, 'nothing left running');
    assert.deepEqual(started, [0, 1, 2]);
    assert.deepEqual(aborted.sort(), [0, 1]);
  });

  test('a bad concurrency is refused', async () => {
    await assert.rejects(forEachBounded([1], 0, async () => undefined), /concurrency must be an integer >= 1, got 0/);
    await assert.rejects(forEachBounded([1], 1.5, async () => undefined), /got 1.5/);
  });

  test('no items: resolves at once', async () => {
    await forEachBounded([], 4, async () => assert.fail('called'));
  });
});
