import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBatch } from '../../src/network/record-serializer.js';
import { encodeEvent, HEADER_BYTES, parseEvent } from '../../src/network/frames.js';
import { Subpartition, type SubpartitionOwner } from '../../src/network/subpartition.js';
import type { ChannelEvent } from '../../src/network/network-api.js';

const owner = (): SubpartitionOwner & { taken: number } => ({
  context: { partitionId: 'p', owner: 'test' },
  bufferSizeBytes: 32 * 1024,
  maxRecordsPerBuffer: 2,
  maxFrameBytes: 1 << 20,
  maxQueuedBuffers: 10,
  taken: 0,
  fullnessChanged: () => undefined,
  subpartitionConsumed: () => undefined,
  consumerLost: () => undefined,
  fail: (error) => assert.fail(error),
  bufferTaken() {
    this.taken += 1;
  },
});

const barrier: ChannelEvent = { kind: 'barrier', checkpointId: 12, timestamp: 1234, savepoint: false, unaligned: true };

test('an unaligned barrier goes before every queued batch of a subpartition, which returns them and still sends them after it', () => {
  const subpartition = new Subpartition(0, owner());
  let notified = 0;
  subpartition.attach({ serializes: true, notifyDataAvailable: () => void (notified += 1), notifyReleased: () => undefined });
  for (const n of [1, 2, 3]) subpartition.append(n);
  const overtaken = subpartition.addPriorityEvent(barrier);
  assert.deepEqual(overtaken.map((p) => decodeBatch(p).records), [[1, 2], [3]]);
  assert.ok(notified > 0, 'the reader is told: the event needs no credit');
  assert.deepEqual(subpartition.take(), { kind: 'event', event: barrier });
  const rest: unknown[] = [];
  for (let entry = subpartition.take(); entry !== undefined; entry = subpartition.take()) {
    assert.equal(entry.kind, 'bytes');
    if (entry.kind === 'bytes') rest.push(...decodeBatch(entry.bytes.subarray(HEADER_BYTES)).records);
  }
  assert.deepEqual(rest, [1, 2, 3]);
});

test('the unaligned flag of a barrier survives the wire, and only it', () => {
  const frame = encodeEvent(3, barrier);
  assert.deepEqual(parseEvent(frame.subarray(HEADER_BYTES)), barrier);
  const aligned: ChannelEvent = { kind: 'barrier', checkpointId: 1, timestamp: 2, savepoint: true, terminate: true };
  assert.deepEqual(parseEvent(encodeEvent(0, aligned).subarray(HEADER_BYTES)), aligned);
  const bad = Buffer.from(encodeEvent(0, barrier).subarray(HEADER_BYTES));
  bad[17] = 7;
  assert.throws(() => parseEvent(bad), /invalid EVENT payload/);
});
