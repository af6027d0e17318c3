import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBatch, serializeBatch, TIMESTAMPED_BATCH_MARKER } from '../../../src/network/record-serializer.js';
import { encodeEvent, HEADER_BYTES, parseEvent } from '../../../src/network/frames.js';

const context = { partitionId: 'job/0/src/0', owner: 'Source (1/1)' };

describe('batches with and without event timestamps', () => {
  test('a batch without timestamps keeps the plain encoding and decodes without any', () => {
    const bytes = serializeBatch([{ a: 1 }, 'x'], context).subarray(HEADER_BYTES);
    assert.notEqual(bytes[0], TIMESTAMPED_BATCH_MARKER);
    assert.deepEqual(decodeBatch(bytes), { records: [{ a: 1 }, 'x'], timestamps: undefined });
  });

  test('a batch with timestamps round-trips them, NaN standing for a record without one', () => {
    const bytes = serializeBatch([{ a: 1 }, { a: 2 }, 3], context, [1_700_000_000_123, NaN, -5]).subarray(HEADER_BYTES);
    assert.equal(bytes[0], TIMESTAMPED_BATCH_MARKER);
    const { records, timestamps } = decodeBatch(bytes);
    assert.deepEqual(records, [{ a: 1 }, { a: 2 }, 3]);
    assert.deepEqual([...timestamps!], [1_700_000_000_123, NaN, -5]);
  });

  test('timestamps and records of different lengths are refused', () => {
    assert.throws(() => serializeBatch([1, 2], context, [1]), /2 records with 1 timestamps/);
  });
});

describe('watermark events on the wire', () => {
  for (const event of [
    { kind: 'watermark', timestamp: 1_234 },
    { kind: 'watermark', timestamp: Infinity },
    { kind: 'watermark', timestamp: -Infinity },
    { kind: 'watermark-status', idle: true },
    { kind: 'watermark-status', idle: false },
  ] as const) {
    test(`${JSON.stringify(event)} round-trips`, () => {
      const frame = encodeEvent(7, event);
      assert.deepEqual(parseEvent(frame.subarray(HEADER_BYTES)), event);
    });
  }
});
