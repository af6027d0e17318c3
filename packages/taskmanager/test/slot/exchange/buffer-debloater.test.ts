import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferDebloater, type DebloatSettings } from '../../../src/slot/exchange/buffer-debloater.js';

const SETTINGS: DebloatSettings = { targetMs: 1000, periodMs: 200, inFlightBatches: 10, min: 256, max: 131_072, initial: 32_768 };

/** Posts and takes `batches` batches of `bytes` evenly over `ms`, starting at `start`; returns the end time. */
function drive(debloater: BufferDebloater, start: number, ms: number, batches: number, bytes: number): number {
  for (let i = 1; i <= batches; i++) {
    debloater.onPosted(bytes);
    debloater.onTaken(start + (ms * i) / batches);
  }
  return start + ms;
}

test('a consumer that keeps up gets batches up to the maximum, growing at most twice per period', () => {
  const debloater = new BufferDebloater(SETTINGS, 0);
  assert.equal(debloater.size, 32_768, 'the first batches are cut at the buffer size');
  // 20 MB/s taken: 1 s of in-flight data over 10 batches would be 2 MB per batch.
  let now = drive(debloater, 0, 200, 100, 40_000);
  assert.equal(debloater.size, 65_536, 'one period: doubled, not more');
  now = drive(debloater, now, 200, 100, 40_000);
  assert.equal(debloater.size, 131_072, 'two periods: at the maximum');
  drive(debloater, now, 1000, 500, 40_000);
  assert.equal(debloater.size, 131_072, 'stays at the maximum');
});

test('a slow consumer shrinks the batches at once, so in-flight data takes about the target to drain', () => {
  const debloater = new BufferDebloater(SETTINGS, 0);
  // 50 KB/s taken: 1 s of in-flight data over 10 batches is 5 KB per batch.
  drive(debloater, 0, 400, 20, 1000);
  assert.equal(debloater.consumerRate, 50_000);
  assert.equal(debloater.size, 5000);
  // Slower still (1 KB/s): the smallest batch bounds it.
  const slow = new BufferDebloater(SETTINGS, 0);
  drive(slow, 0, 1000, 1, 1000);
  drive(slow, 1000, 1000, 1, 1000);
  assert.equal(slow.size, 256);
});

test('changes under the threshold are ignored, and nothing changes within a period', () => {
  const debloater = new BufferDebloater(SETTINGS, 0);
  // 3.5 MB/s -> 350 KB desired, capped by growth at 65,536: a change.
  drive(debloater, 0, 200, 10, 70_000);
  assert.equal(debloater.size, 65_536);
  // A rate whose desired size is within 25% of the current one: no change.
  const steady = new BufferDebloater({ ...SETTINGS, initial: 50_000 }, 0);
  drive(steady, 0, 200, 10, 10_500); // 525 KB/s -> 52.5 KB: within 25% of 50,000
  assert.equal(steady.size, 50_000);
  assert.equal(steady.onTaken(250), false, 'within a period, nothing is recomputed');
});
