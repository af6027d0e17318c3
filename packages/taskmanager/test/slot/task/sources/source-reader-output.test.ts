import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WatermarkStrategy } from '@rivulet/api';
import { ElementTimestamp } from '../../../../src/slot/task/event-time/element-timestamp.js';
import { SourceReaderOutputs } from '../../../../src/slot/task/sources/source-reader-output.js';

function outputs(strategy: WatermarkStrategy<unknown>) {
  const records: Array<{ record: unknown; timestamp: number | undefined }> = [];
  const watermarks: number[] = [];
  const statuses: boolean[] = [];
  const timestamp = new ElementTimestamp();
  let now = 0;
  const out = new SourceReaderOutputs(
    strategy,
    "source 'Test' (test-0)",
    { collect: (record) => void records.push({ record, timestamp: timestamp.get() }) },
    timestamp,
    { processWatermark: (w) => void watermarks.push(w), processWatermarkStatus: (idle) => void statuses.push(idle) },
    100,
    () => now,
  );
  return { out, records, watermarks, statuses, tick: (ms: number) => out.onTick((now += ms)) };
}

describe('SourceReaderOutputs (per-split watermarks)', () => {
  test('the source watermark is the minimum over its splits, and only increases', () => {
    const { out, watermarks } = outputs(WatermarkStrategy.forBoundedOutOfOrderness<unknown>(0));
    const a = out.createOutputForSplit('a');
    const b = out.createOutputForSplit('b');
    a.collect('a1', 100);
    b.collect('b1', 50);
    a.collect('a2', 300);
    assert.deepEqual(watermarks, [], 'no periodic emit yet');
    a.emitWatermark(300);
    assert.deepEqual(watermarks, [], 'b has no watermark yet: it holds the source back');
    b.emitWatermark(60);
    assert.deepEqual(watermarks, [60]);
    b.emitWatermark(400);
    assert.deepEqual(watermarks, [60, 300]);
    out.releaseOutputForSplit('a');
    assert.deepEqual(watermarks, [60, 300, 400], 'a released: it no longer holds the source back');
  });

  test('periodic emission runs each split generator; records keep the timestamp the reader gave them', () => {
    const { out, records, watermarks, tick } = outputs(WatermarkStrategy.forBoundedOutOfOrderness<unknown>(10));
    const a = out.createOutputForSplit('a');
    const b = out.createOutputForSplit('b');
    a.collect('x', 1000);
    b.collect('y', 2000);
    tick(100);
    assert.deepEqual(watermarks, [989], 'min(1000 - 10 - 1, 2000 - 10 - 1)');
    assert.deepEqual(records, [{ record: 'x', timestamp: 1000 }, { record: 'y', timestamp: 2000 }]);
  });

  test('an idle split does not hold the watermark back; all idle makes the source idle', () => {
    const { out, watermarks, statuses } = outputs(WatermarkStrategy.noWatermarks<unknown>());
    const a = out.createOutputForSplit('a');
    const b = out.createOutputForSplit('b');
    a.emitWatermark(500);
    b.markIdle();
    assert.deepEqual(watermarks, [500]);
    a.markIdle();
    assert.deepEqual(statuses, [true]);
    a.emitWatermark(600);
    assert.deepEqual(statuses, [true, false]);
    assert.deepEqual(watermarks, [500, 600]);
  });

  test('a timestamp that is not a finite number fails, naming the source and the split', () => {
    const { out } = outputs(WatermarkStrategy.noWatermarks<unknown>());
    assert.throws(() => out.createOutputForSplit('s-1').collect('r', Number.NaN), /source 'Test' \(test-0\), split "s-1".*finite number/);
  });
});
