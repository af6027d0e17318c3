import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder } from '../../src/network/frame-decoder.js';
import {
  encodeCredit, encodeEvent, encodeHello, encodePartitionRequest, type Frame, FrameType, MalformedFrame,
  parseCredit, parseEvent, parseHello, parsePartitionRequest,
} from '../../src/network/frames.js';

function decodeAll(bytes: Buffer, chunkSize: number, max = 1024 * 1024): Frame[] {
  const decoder = new FrameDecoder(max);
  const frames: Frame[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) decoder.push(bytes.subarray(i, i + chunkSize), (f) => frames.push(f));
  assert.equal(decoder.pendingBytes, 0);
  return frames;
}

describe('frames', () => {
  const stream = Buffer.concat([
    encodeHello(),
    encodePartitionRequest(7, { partitionId: 'job/0/map/3', subpartitionIndex: 2, credit: 4 }),
    encodeCredit(7, 3),
    encodeEvent(7, { kind: 'barrier', checkpointId: 42, timestamp: 1_700_000_000_000, savepoint: true }),
    encodeEvent(7, { kind: 'end-of-data' }),
    encodeEvent(7, { kind: 'end-of-partition' }),
  ]);

  for (const chunkSize of [1, 3, 8, 1000]) {
    test(`the decoder splits a stream fed in ${chunkSize}-byte chunks into the same frames`, () => {
      const frames = decodeAll(stream, chunkSize);
      assert.deepEqual(frames.map((f) => [f.type, f.channel]), [
        [FrameType.HELLO, 0], [FrameType.PARTITION_REQUEST, 7], [FrameType.ADD_CREDIT, 7], [FrameType.EVENT, 7], [FrameType.EVENT, 7], [FrameType.EVENT, 7],
      ]);
      parseHello(frames[0]!.payload);
      assert.deepEqual(parsePartitionRequest(frames[1]!.payload), { partitionId: 'job/0/map/3', subpartitionIndex: 2, credit: 4 });
      assert.equal(parseCredit(frames[2]!.payload), 3);
      assert.deepEqual(parseEvent(frames[3]!.payload), { kind: 'barrier', checkpointId: 42, timestamp: 1_700_000_000_000, savepoint: true });
      assert.deepEqual(parseEvent(frames[4]!.payload), { kind: 'end-of-data' });
      assert.deepEqual(parseEvent(frames[5]!.payload), { kind: 'end-of-partition' });
    });
  }

  test('a length above the maximum is refused before its payload is buffered', () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1024 * 1024 * 1024, 0);
    assert.throws(() => decoder.push(header, () => undefined), (e: unknown) => e instanceof MalformedFrame && /frame length 1073741824/.test(e.message));
  });

  test('a length too small to hold type and channel is refused', () => {
    assert.throws(() => new FrameDecoder(1024).push(Buffer.from([0, 0, 0, 2, 1, 1]), () => undefined), MalformedFrame);
  });

  test('an unknown frame type is refused as soon as its byte arrives', () => {
    const decoder = new FrameDecoder(1024);
    assert.throws(() => decoder.push(Buffer.from([0, 0, 0, 100, 99]), () => undefined), /unknown frame type 99/);
  });

  test('ASCII garbage (an HTTP request) fails on its length', () => {
    assert.throws(() => new FrameDecoder(64 * 1024 * 1024).push(Buffer.from('GET / HTTP/1.1\r\n\r\n'), () => undefined), /frame length/);
  });

  test('payload validation rejects malformed frames', () => {
    assert.throws(() => parseHello(Buffer.from('RVLX\0\x01')), /not a Rivulet/);
    assert.throws(() => parseCredit(Buffer.alloc(4)), /zero/);
    assert.throws(() => parseEvent(Buffer.from([9])), /invalid EVENT/);
    assert.throws(() => parseEvent(Buffer.from([3, 0])), /invalid EVENT/, 'end-of-data carries no payload');
    assert.throws(() => parsePartitionRequest(Buffer.alloc(3)), /too short/);
  });
});
