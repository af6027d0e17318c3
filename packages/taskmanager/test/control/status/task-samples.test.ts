import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskSamples, watermarkJson } from '../../../src/control/status/task-samples.js';
import type { TaskTimeSample } from '../../../src/protocol/slot-messages.js';

const sample = (over: Partial<TaskTimeSample>): TaskTimeSample => ({
  attemptId: 'a1', busyMs: 250, idleMs: 700, backPressuredMs: 50, intervalMs: 1000,
  inputWatermark: -Infinity, outputWatermark: -Infinity, recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0, ...over,
});

test('record rates come from the difference between two samples over the interval', () => {
  let now = 1_000;
  const samples = new TaskSamples(() => now);
  samples.record(sample({ recordsIn: 500, recordsOut: 400, intervalMs: 500 }));
  assert.equal(samples.all()[0]!['records-in-per-second'], 1000, 'the first sample: since the task started');
  now = 2_000;
  samples.record(sample({ recordsIn: 2500, recordsOut: 1400, intervalMs: 2000 }));
  const [latest] = samples.all();
  assert.equal(latest!['records-in'], 2500);
  assert.equal(latest!['records-in-per-second'], 1000);
  assert.equal(latest!['records-out-per-second'], 500);
  assert.equal(latest!['busy-time-ms-per-second'], 125);
  assert.equal(latest!['sampled-at'], 2_000);
});

test('byte rates, like record rates, come from the difference between two samples', () => {
  const samples = new TaskSamples(() => 0);
  samples.record(sample({ bytesIn: 4096, bytesOut: 1024, intervalMs: 1000 }));
  samples.record(sample({ bytesIn: 4096 + 8192, bytesOut: 1024 + 512, intervalMs: 2000 }));
  const [latest] = samples.all();
  assert.equal(latest!['bytes-in'], 12_288);
  assert.equal(latest!['bytes-out'], 1536);
  assert.equal(latest!['bytes-in-per-second'], 4096);
  assert.equal(latest!['bytes-out-per-second'], 256);
});

test('an ended task leaves nothing; watermarks are JSON-safe', () => {
  const samples = new TaskSamples();
  samples.record(sample({ inputWatermark: 1_700_000_000_000, outputWatermark: Infinity }));
  assert.equal(samples.all()[0]!['input-watermark'], 1_700_000_000_000);
  assert.equal(samples.all()[0]!['output-watermark'], Number.MAX_SAFE_INTEGER);
  samples.forget('a1');
  assert.deepEqual(samples.all(), []);
  assert.equal(watermarkJson(-Infinity), null);
  assert.equal(watermarkJson(Number.NaN), null);
});
