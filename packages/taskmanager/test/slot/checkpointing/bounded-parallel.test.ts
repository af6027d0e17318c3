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

  test('the caller\'s signal stops it like a failure: the calls in flight are aborted and awaited, then it rejects with the reason', async () => {
    const caller = new AbortController();
    const reason = new Error('task cancelled');
    let inFlight = 0;
    let started = 0;
    const run = forEachBounded([...Array(10).keys()], 2, async (_item, signal) => {
      started += 1;
      inFlight += 1;
      try {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5_000);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            setTimeout(resolve, 20);
          }, { once: true });
        });
      } finally {
        inFlight -= 1;
      }
    }, caller.signal);
    setTimeout(() => caller.abort(reason), 10);
    await assert.rejects(run, (err) => err === reason);
    assert.equal(inFlight, 0);
    assert.equal(started, 2);
    await assert.rejects(forEachBounded([1], 1, async () => assert.fail('started after the abort'), caller.signal), (err) => err === reason);
  });

  test('a bad concurrency is refused', async () => {
    await assert.rejects(forEachBounded([1], 0, async () => undefined), /concurrency must be an integer >= 1, got 0/);
    await assert.rejects(forEachBounded([1], 1.5, async () => undefined), /got 1.5/);
  });

  test('no items: resolves at once', async () => {
    await forEachBounded([], 4, async () => assert.fail('called'));
  });
});
