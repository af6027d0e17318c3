import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  END_OF_INPUT_WATERMARK, formatBytes, formatCount, formatDuration, formatMillis, formatPercent, formatRecordRate, formatWatermark, MISSING,
} from '../../src/model/format.js';

test('rates, sizes and times carry their units; missing values are a dash, never NaN', () => {
  assert.equal(formatRecordRate(0), '0 records/s');
  assert.equal(formatRecordRate(950), '950 records/s');
  assert.equal(formatRecordRate(12_345), '12k records/s');
  assert.equal(formatRecordRate(1_234_567), '1.2M records/s');
  assert.equal(formatRecordRate(Number.NaN), MISSING);
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.50 KB');
  assert.equal(formatBytes(12.3 * 1024 * 1024), '12.3 MB');
  assert.equal(formatBytes(-1), MISSING, "Flink's -1 (no checkpoint yet) is not a size");
  assert.equal(formatMillis(1250), '1,250 ms');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatPercent(0.734), '73%');
  assert.equal(formatPercent(undefined), MISSING);
});

test('durations read as a person says them', () => {
  assert.equal(formatDuration(350), '350 ms');
  assert.equal(formatDuration(12_400), '12.4 s');
  assert.equal(formatDuration(185_000), '3m 05s');
  assert.equal(formatDuration(2 * 3600_000 + 3 * 60_000), '2h 03m');
  assert.equal(formatDuration(4 * 86_400_000 + 7 * 3600_000), '4d 07h');
  assert.equal(formatDuration(-5), MISSING);
});

test('watermarks: none yet, end of input, or a time', () => {
  assert.equal(formatWatermark(null), 'none yet');
  assert.equal(formatWatermark(END_OF_INPUT_WATERMARK), 'end of input');
  assert.match(formatWatermark(Date.UTC(2024, 4, 1, 12, 0, 0)), /^2024-05-0[12] \d\d:00:00$/);
});
