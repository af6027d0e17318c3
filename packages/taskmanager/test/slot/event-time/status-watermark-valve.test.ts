import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusWatermarkValve } from '../../../src/slot/task/event-time/status-watermark-valve.js';

function valve(channels: number) {
  const out: (number | 'idle' | 'active')[] = [];
  const v = new StatusWatermarkValve(channels, { watermark: (t) => out.push(t), status: (idle) => out.push(idle ? 'idle' : 'active') });
  return { v, out };
}

test('the output watermark is the minimum over channels and only moves forward', () => {
  const { v, out } = valve(3);
  v.inputWatermark(0, 10);
  v.inputWatermark(1, 5);
  assert.deepEqual(out, [], 'channel 2 has no watermark yet');
  v.inputWatermark(2, 7);
  assert.deepEqual(out, [5]);
  v.inputWatermark(1, 20);
  assert.deepEqual(out, [5, 7]);
  v.inputWatermark(2, 6); // backwards on a channel: ignored
  v.inputWatermark(2, 30);
  assert.deepEqual(out, [5, 7, 10]);
  assert.equal(v.currentWatermark, 10);
});

test('an idle channel does not hold the watermark back; all idle makes the task idle', () => {
  const { v, out } = valve(2);
  v.inputWatermark(0, 100);
  assert.deepEqual(out, []);
  v.inputStatus(1, true);
  assert.deepEqual(out, [100], 'channel 1 idle: channel 0 alone decides');
  v.inputWatermark(0, 150);
  v.inputStatus(0, true);
  assert.deepEqual(out, [100, 150, 'idle']);
  assert.equal(v.idle, true);
});

test('a channel active again does not move the watermark backwards and joins once it catches up', () => {
  const { v, out } = valve(2);
  v.inputStatus(1, true);
  v.inputWatermark(0, 100);
  assert.deepEqual(out, [100]);
  v.inputStatus(1, false);
  v.inputWatermark(1, 50); // behind the output: not aligned, no effect
  v.inputWatermark(0, 200);
  assert.deepEqual(out, [100, 200], 'channel 1 at 50 is behind 100, so it does not count yet');
  v.inputWatermark(1, 150);
  v.inputWatermark(0, 300);
  assert.deepEqual(out, [100, 200, 300], 'at 150 channel 1 is still behind the output (200)');
  v.inputWatermark(1, 400); // at or past the output (300): it counts from now on
  v.inputWatermark(0, 500);
  assert.deepEqual(out, [100, 200, 300, 400], 'channel 1 now holds the watermark at its 400');
});

test('every channel idle then one active again: the task becomes active', () => {
  const { v, out } = valve(2);
  v.inputStatus(0, true);
  v.inputStatus(1, true);
  v.inputStatus(0, false);
  assert.deepEqual(out, ['idle', 'active']);
});

test('ended channels count as +Infinity; all ended gives +Infinity', () => {
  const { v, out } = valve(2);
  v.inputWatermark(0, 10);
  v.channelEnded(1);
  assert.deepEqual(out, [10]);
  v.channelEnded(0);
  assert.deepEqual(out, [10, Infinity]);
});
