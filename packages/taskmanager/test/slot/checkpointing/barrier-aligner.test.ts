import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BarrierAligner, type BarrierInfo, type CheckpointingMode } from '../../../src/slot/checkpointing/barrier-aligner.js';

function setup(channels: number, mode: CheckpointingMode) {
  const blocked = new Set<number>();
  const aligned: number[] = [];
  const aborted: Array<[number, string]> = [];
  const aligner = new BarrierAligner(channels, mode, {
    blockChannel: (c) => blocked.add(c),
    unblockChannel: (c) => blocked.delete(c),
  }, {
    onAligned: (b) => aligned.push(b.checkpointId),
    onAborted: (id, reason) => aborted.push([id, reason]),
  });
  return { aligner, blocked, aligned, aborted };
}

const barrier = (checkpointId: number): BarrierInfo => ({ checkpointId, timestamp: 0, savepoint: false });

describe('BarrierAligner', () => {
  test('measures the alignment (first barrier to last) and the start delay (trigger to first barrier) on its clock', () => {
    let now = 10_000;
    const measured: Array<{ alignmentDurationMs: number; startDelayMs: number }> = [];
    const aligner = new BarrierAligner(2, 'EXACTLY_ONCE', { blockChannel: () => undefined, unblockChannel: () => undefined }, {
      onAligned: (_b, metrics) => measured.push(metrics),
      onAborted: () => undefined,
    }, () => now);
    aligner.onBarrier(1, { checkpointId: 1, timestamp: 9_960, savepoint: false });
    now += 250;
    aligner.onBarrier(0, { checkpointId: 1, timestamp: 9_960, savepoint: false });
    now += 1_000;
    // One channel left: the next checkpoint aligns at once.
    aligner.onEndOfPartition(1);
    aligner.onBarrier(0, { checkpointId: 2, timestamp: now - 5, savepoint: false });
    assert.deepEqual(measured, [{ alignmentDurationMs: 250, startDelayMs: 40 }, { alignmentDurationMs: 0, startDelayMs: 5 }]);
  });

  test('exactly-once blocks each channel that delivered the barrier until all have, then unblocks all', () => {
    const { aligner, blocked, aligned } = setup(3, 'EXACTLY_ONCE');
    aligner.onBarrier(0, barrier(1));
    assert.deepEqual([...blocked], [0]);
    aligner.onBarrier(2, barrier(1));
    assert.deepEqual([...blocked].sort(), [0, 2]);
    assert.deepEqual(aligned, []);
    aligner.onBarrier(1, barrier(1));
    assert.deepEqual(aligned, [1]);
    assert.equal(blocked.size, 0);
  });

  test('at-least-once never blocks and snapshots once every channel delivered the barrier', () => {
    const { aligner, blocked, aligned } = setup(2, 'AT_LEAST_ONCE');
    aligner.onBarrier(1, barrier(4));
    assert.equal(blocked.size, 0);
    assert.deepEqual(aligned, []);
    aligner.onBarrier(0, barrier(4));
    assert.deepEqual(aligned, [4]);
  });

  test('a finished channel counts as aligned, also for a barrier that is already waiting', () => {
    const { aligner, blocked, aligned } = setup(2, 'EXACTLY_ONCE');
    aligner.onBarrier(0, barrier(2));
    aligner.onEndOfPartition(1);
    assert.deepEqual(aligned, [2]);
    assert.equal(blocked.size, 0);
    aligner.onBarrier(0, barrier(3));
    assert.deepEqual(aligned, [2, 3], 'the finished channel does not hold later checkpoints back');
  });

  test('a newer barrier aborts the alignment of an older one; stale barriers are ignored', () => {
    const { aligner, blocked, aligned, aborted } = setup(2, 'EXACTLY_ONCE');
    aligner.onBarrier(0, barrier(5));
    aligner.onBarrier(1, barrier(6));
    assert.equal(aborted.length, 1);
    assert.equal(aborted[0]?.[0], 5);
    assert.match(aborted[0]?.[1] ?? '', /checkpoint 6 overtook it/);
    assert.deepEqual([...blocked], [1]);
    aligner.onBarrier(0, barrier(5));
    assert.deepEqual([...blocked], [1], 'a stale barrier neither blocks nor completes');
    aligner.onBarrier(0, barrier(6));
    assert.deepEqual(aligned, [6]);
    assert.equal(blocked.size, 0);
  });

  test('a single channel aligns at once', () => {
    const { aligner, aligned, blocked } = setup(1, 'EXACTLY_ONCE');
    aligner.onBarrier(0, barrier(1));
    assert.deepEqual(aligned, [1]);
    assert.equal(blocked.size, 0);
  });
});
