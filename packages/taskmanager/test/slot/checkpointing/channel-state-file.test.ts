import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkChannelStateShape, decodeChannelState, encodeChannelState } from '../../../src/slot/checkpointing/channel-state-file.js';

const shape = { inputChannels: 2, subpartitions: [3, 1] };

test('the channel-state file keeps input and output batches with their channels, in order', () => {
  const content = {
    shape,
    input: [{ channel: 1, payload: Buffer.from('in-a') }, { channel: 1, payload: Buffer.from('in-b') }, { channel: 0, payload: Buffer.from('') }],
    output: [{ writer: 0, subpartition: 2, payload: Buffer.from('out') }, { writer: 1, subpartition: 0, payload: Buffer.from('x') }],
  };
  const decoded = decodeChannelState(encodeChannelState(content), 'test');
  assert.deepEqual(decoded.shape, shape);
  assert.deepEqual(decoded.input.map((b) => [b.channel, b.payload.toString()]), [[1, 'in-a'], [1, 'in-b'], [0, '']]);
  assert.deepEqual(decoded.output.map((b) => [b.writer, b.subpartition, b.payload.toString()]), [[0, 2, 'out'], [1, 0, 'x']]);
});

test('unreadable bytes and entries outside the recorded shape are errors naming the file', () => {
  assert.throws(() => decodeChannelState(Buffer.from('nope'), 'checkpoint 3 (a/b)'), /in-flight records of checkpoint 3 \(a\/b\) are unreadable: not a channel state file/);
  const bytes = encodeChannelState({ shape, input: [{ channel: 1, payload: Buffer.from('abc') }], output: [] });
  assert.throws(() => decodeChannelState(bytes.subarray(0, bytes.length - 1), 'f'), /truncated batch/);
  const outside = encodeChannelState({ shape: { inputChannels: 1, subpartitions: [] }, input: [{ channel: 4, payload: Buffer.from('') }], output: [] });
  assert.throws(() => decodeChannelState(outside, 'f'), /outside the recorded shape/);
});

test('records restore only into the channels they were taken from', () => {
  assert.doesNotThrow(() => checkChannelStateShape(shape, { inputChannels: 2, subpartitions: [3, 1] }, 'x'));
  assert.throws(
    () => checkChannelStateShape(shape, { inputChannels: 3, subpartitions: [3, 1] }, 'checkpoint 8 of Map (1/2)'),
    /checkpoint 8 of Map \(1\/2\) holds in-flight records of an unaligned checkpoint taken with 2 input channels, output subpartitions \[3, 1\]; the subtask now has 3 input channels.*restore at that parallelism, or rescale from a savepoint/,
  );
});
