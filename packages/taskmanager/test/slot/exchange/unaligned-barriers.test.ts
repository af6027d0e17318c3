import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelEvent, InputGateEntry } from '../../../src/network/network-api.js';
import { decodeBatch, serializeBatch } from '../../../src/network/record-serializer.js';
import { HEADER_BYTES } from '../../../src/network/frames.js';
import { testSlotNetworkSettings } from './slot-network-settings.js';
import type { ToSocket } from '../../../src/slot/exchange/exchange-messages.js';
import { InThreadChannels } from '../../../src/slot/exchange/in-thread-channels.js';
import { ThreadInputGate } from '../../../src/slot/exchange/thread-input-gate.js';
import { ThreadResultPartition } from '../../../src/slot/exchange/thread-result-partition.js';
import type { InputChannelState } from '../../../src/slot/checkpointing/channel-state-recording.js';

const settings = testSlotNetworkSettings(2);

const barrier = (checkpointId: number, overtakenBuffers?: number): ChannelEvent => ({
  kind: 'barrier', checkpointId, timestamp: 0, savepoint: false, unaligned: true, ...(overtakenBuffers === undefined ? {} : { overtakenBuffers }),
});
const payload = (records: unknown[]): Buffer => serializeBatch(records, { partitionId: 'p', owner: 'test' }).subarray(HEADER_BYTES);
const recordsOf = (state: InputChannelState, channel: number): unknown[] =>
  state.batches.filter((b) => b.channel === channel).flatMap((b) => decodeBatch(b.payload).records);
const recordsIn = (entry: InputGateEntry | undefined): readonly unknown[] => (entry !== undefined && 'records' in entry ? entry.records : assert.fail(`expected records, got ${JSON.stringify(entry)}`));

/** A gate of `channels` socket channels (no producer in this thread), with the credits it gave back. */
function socketGate(channels: number): { gate: ThreadInputGate; credits: number[] } {
  const credits: number[] = [];
  const gate = new ThreadInputGate(0, new Array(channels).fill(undefined), 'Down (1/1)', (message: ToSocket) => {
    if (message.kind === 'gate-credit') credits.push(message.channel);
  });
  return { gate, credits };
}

test('an unaligned barrier overtakes the queued batches; the task takes it first and the batches it overtook are the input channel state', async () => {
  const { gate } = socketGate(2);
  gate.onBuffer(0, payload([1, 2]));
  gate.onBuffer(0, payload([3]));
  gate.onBuffer(1, payload([10]));
  gate.onEvent(0, barrier(7));
  gate.onBuffer(0, payload([4])); // after the barrier: not in flight for checkpoint 7
  assert.equal(gate.hasPriorityEvent, true);
  const first = gate.poll();
  assert.deepEqual(first, { channel: 0, event: barrier(7) });
  const recording = gate.recordingOf(7);
  assert.ok(recording !== undefined, 'the checkpoint is being recorded once its barrier was taken');
  // Channel 1 has not delivered barrier 7: what it has queued and what comes until its barrier is in flight.
  gate.onBuffer(1, payload([11]));
  gate.onEvent(1, barrier(7));
  gate.onBuffer(1, payload([12]));
  const state = await recording.done;
  assert.deepEqual(recordsOf(state, 0), [1, 2, 3]);
  assert.deepEqual(recordsOf(state, 1), [10, 11]);
  assert.equal(state.bytes, state.batches.reduce((n, b) => n + b.payload.byteLength, 0));
  // The task still processes every batch, in order per channel: the recording is a copy.
  const taken: unknown[] = [];
  for (let entry = gate.poll(); entry !== undefined; entry = gate.poll()) taken.push(...recordsIn(entry));
  assert.deepEqual(taken.sort((a, b) => Number(a) - Number(b)), [1, 2, 3, 4, 10, 11, 12]);
});

test('buffers the barrier overtook in the network stack arrive after it and are recorded; a recorded buffer gives its credit back at once', async () => {
  const { gate, credits } = socketGate(1);
  gate.onEvent(0, barrier(3, 2));
  assert.deepEqual(gate.poll(), { channel: 0, event: barrier(3, 2) });
  const recording = gate.recordingOf(3)!;
  gate.onBuffer(0, payload(['a']));
  assert.deepEqual(credits, [0], 'credit for the recorded buffer, before the task took it');
  gate.onBuffer(0, payload(['b']));
  gate.onBuffer(0, payload(['c'])); // the third follows the barrier in the stream
  const state = await recording.done;
  assert.deepEqual(recordsOf(state, 0), ['a', 'b']);
  for (let entry = gate.poll(); entry !== undefined; entry = gate.poll()) recordsIn(entry);
  assert.equal(credits.length, 3, 'one credit per buffer, never two');
});

test('a newer checkpoint\'s barrier gives up the one being recorded; an older one is stale', async () => {
  const { gate } = socketGate(2);
  gate.onEvent(0, barrier(1));
  gate.poll();
  const first = gate.recordingOf(1)!;
  gate.onEvent(0, barrier(2));
  await assert.rejects(first.done, /checkpoint 2 overtook checkpoint 1/);
  assert.deepEqual(gate.poll(), { channel: 0, event: barrier(2) });
  gate.onEvent(1, barrier(1));
  assert.equal(gate.hasPriorityEvent, false, 'a barrier of a given-up checkpoint is dropped');
  gate.onEvent(1, barrier(2));
  assert.deepEqual((await gate.recordingOf(2)!.done).batches, []);
});

test('end-of-partition ends a channel\'s recording: no barrier follows it', async () => {
  const { gate } = socketGate(2);
  gate.onBuffer(1, payload(['last']));
  gate.onEvent(1, { kind: 'end-of-partition' });
  gate.onEvent(0, barrier(5));
  gate.poll();
  const state = await gate.recordingOf(5)!.done;
  assert.deepEqual(recordsOf(state, 1), ['last']);
});

test('in the slot\'s thread: the producer\'s barrier overtakes its consumer\'s queue; the producer keeps no output state for it', async () => {
  const channels = new InThreadChannels();
  const partition = new ThreadResultPartition('job/0/up>down/0', 1, 'Up (1/1)', settings, () => assert.fail('nothing leaves the thread'), new Map([[0, channels.channel('job/0/up>down/0', 0)]]));
  const gate = new ThreadInputGate(0, [channels.channel('job/0/up>down/0', 0)], 'Down (1/1)', () => undefined);
  for (const record of [1, 2, 3, 4, 5]) partition.emit(0, { n: record });
  const overtaken = partition.broadcastPriorityEvent(barrier(9));
  assert.deepEqual(overtaken, [[]]);
  assert.deepEqual(gate.poll(), { channel: 0, event: barrier(9) });
  const state = await gate.recordingOf(9)!.done;
  assert.deepEqual(recordsOf(state, 0), [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
  const taken: unknown[] = [];
  for (let entry = gate.poll(); entry !== undefined; entry = gate.poll()) taken.push(...recordsIn(entry));
  assert.deepEqual(taken, [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
});

test('a producer\'s batches for consumers outside the thread: the barrier overtakes them on the socket side, which returns them as output state; restored ones are sent again first', () => {
  const posted: ToSocket[] = [];
  const partition = new ThreadResultPartition('job/0/up>down/0', 2, 'Up (1/1)', settings, (message) => {
    posted.push(message);
    if (message.kind === 'partition-priority-event') message.overtaken.push([payload(['q1'])], []);
  });
  partition.emit(0, 'q1');
  const overtaken = partition.broadcastPriorityEvent(barrier(4));
  assert.deepEqual(overtaken.map((s) => s.map((p) => decodeBatch(p).records)), [[['q1']], []]);
  assert.deepEqual(posted.map((m) => m.kind), ['partition-create', 'partition-buffer', 'partition-priority-event']);
  partition.replayBatch(1, payload(['restored']));
  const replayed = posted.at(-1)!;
  assert.ok(replayed.kind === 'partition-buffer' && replayed.subpartition === 1);
  assert.deepEqual(decodeBatch(replayed.bytes.subarray(HEADER_BYTES)).records, ['restored']);
  assert.throws(() => partition.replayBatch(2, payload(['x'])), /has no subpartition 2/);
});
