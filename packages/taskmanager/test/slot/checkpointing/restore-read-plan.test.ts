import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_COALESCE_GAP_BYTES, MAX_COALESCED_READ_BYTES, planRangeReads, type RangeRequest } from '../../../src/slot/checkpointing/restore-read-plan.js';

const MiB = 1024 * 1024;
const req = (file: string, offset: number, length: number, target: string = `${file}@${offset}`): RangeRequest<string> => ({ file, offset, length, target });
/** The plan without targets' order noise: file, offset, length and the slices. */
const shape = (requests: RangeRequest<string>[], limits?: { maxGapBytes: number; maxReadBytes: number }) =>
  planRangeReads(requests, limits).map((r) => ({ file: r.file, offset: r.offset, length: r.length, slices: r.slices.map((s) => [s.target, s.start, s.length]) }));

describe('planRangeReads', () => {
  test('the limits are 1 MiB of gap and 16 MiB per read', () => {
    assert.equal(MAX_COALESCE_GAP_BYTES, MiB);
    assert.equal(MAX_COALESCED_READ_BYTES, 16 * MiB);
  });

  test('adjacent ranges of one file become one read, sliced in offset order whatever the request order', () => {
    assert.deepEqual(shape([req('a', 200, 50, 'g2'), req('a', 0, 100, 'g0'), req('a', 100, 100, 'g1')]), [
      { file: 'a', offset: 0, length: 250, slices: [['g0', 0, 100], ['g1', 100, 100], ['g2', 200, 50]] },
    ]);
  });

  test('a gap up to the limit is bridged, one byte more starts a new read', () => {
    const limits = { maxGapBytes: 10, maxReadBytes: MiB };
    assert.deepEqual(shape([req('a', 0, 5, 'x'), req('a', 15, 5, 'y')], limits), [{ file: 'a', offset: 0, length: 20, slices: [['x', 0, 5], ['y', 15, 5]] }]);
    assert.deepEqual(shape([req('a', 0, 5, 'x'), req('a', 16, 5, 'y')], limits), [
      { file: 'a', offset: 0, length: 5, slices: [['x', 0, 5]] },
      { file: 'a', offset: 16, length: 5, slices: [['y', 0, 5]] },
    ]);
  });

  test('a read stops growing at the size limit; a single larger range is read whole by itself', () => {
    const limits = { maxGapBytes: 0, maxReadBytes: 100 };
    assert.deepEqual(
      shape([req('a', 0, 60, 'p'), req('a', 60, 40, 'q'), req('a', 100, 1, 'r'), req('a', 101, 250, 'big'), req('a', 351, 10, 's')], limits),
      [
        { file: 'a', offset: 0, length: 100, slices: [['p', 0, 60], ['q', 60, 40]] },
        { file: 'a', offset: 100, length: 1, slices: [['r', 0, 1]] },
        { file: 'a', offset: 101, length: 250, slices: [['big', 0, 250]] },
        { file: 'a', offset: 351, length: 10, slices: [['s', 0, 10]] },
      ],
    );
  });

  test('ranges of different files never merge, even at the same offsets', () => {
    const plan = shape([req('b', 0, 10, 'b0'), req('a', 10, 10, 'a1'), req('a', 0, 10, 'a0'), req('b', 10, 10, 'b1')]);
    assert.deepEqual(plan, [
      { file: 'b', offset: 0, length: 20, slices: [['b0', 0, 10], ['b1', 10, 10]] },
      { file: 'a', offset: 0, length: 20, slices: [['a0', 0, 10], ['a1', 10, 10]] },
    ]);
  });

  test('many files of 128 key groups each, scattered picks: every request served exactly once, inside its read', () => {
    const requests: RangeRequest<string>[] = [];
    for (let f = 0; f < 8; f++) {
      let offset = 0;
      for (let g = 0; g < 128; g++) {
        const length = 1000 + ((f * 131 + g * 17) % 5000);
        if ((g * 7 + f) % 3 !== 0) requests.push(req(`file-${f}`, offset, length, `${f}/${g}`));
        offset += length;
      }
    }
    const plan = planRangeReads(requests, { maxGapBytes: 4096, maxReadBytes: 64 * 1024 });
    const served = plan.flatMap((read) => read.slices.map((s) => s.target));
    assert.deepEqual([...served].sort(), requests.map((r) => r.target).sort());
    const byTarget = new Map(requests.map((r) => [r.target, r]));
    for (const read of plan) {
      assert.ok(read.length <= 64 * 1024 || read.slices.length === 1, `read of ${read.length} bytes holds ${read.slices.length} slices`);
      for (const slice of read.slices) {
        const wanted = byTarget.get(slice.target)!;
        assert.equal(read.file, wanted.file);
        assert.equal(read.offset + slice.start, wanted.offset);
        assert.ok(slice.start + slice.length <= read.length);
      }
    }
    assert.ok(plan.length < requests.length / 4, `${plan.length} reads for ${requests.length} ranges`);
  });

  test('merging off (maxReadBytes 0): one read per request', () => {
    assert.equal(planRangeReads([req('a', 0, 10), req('a', 10, 10), req('a', 20, 10)], { maxGapBytes: MiB, maxReadBytes: 0 }).length, 3);
  });

  test('overlapping or repeated ranges share a read', () => {
    assert.deepEqual(shape([req('a', 0, 10, 'x'), req('a', 5, 10, 'y'), req('a', 5, 10, 'z')]), [
      { file: 'a', offset: 0, length: 15, slices: [['x', 0, 10], ['y', 5, 10], ['z', 5, 10]] },
    ]);
  });

  test('bad ranges and limits are refused with what was wrong', () => {
    assert.throws(() => planRangeReads([req('s3://b/f', -1, 10)]), /restore read of s3:\/\/b\/f: offset -1 and length 10 must be non-negative integers/);
    assert.throws(() => planRangeReads([req('f', 0, 1.5)]), /offset 0 and length 1.5/);
    assert.throws(() => planRangeReads([], { maxGapBytes: -1, maxReadBytes: 10 }), /maxGapBytes must be a non-negative integer, got -1/);
    assert.throws(() => planRangeReads([], { maxGapBytes: 0, maxReadBytes: Number.NaN }), /maxReadBytes must be a non-negative integer, got NaN/);
  });

  test('nothing asked: no read', () => {
    assert.deepEqual(planRangeReads([]), []);
  });
});
