import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyGroupOf, type OutputDescriptor } from '@rivulet/common';
import type { InputGateEntry } from '../../../src/network/network-api.js';
import { testSlotNetworkSettings } from './slot-network-settings.js';
import { InThreadChannels } from '../../../src/slot/exchange/in-thread-channels.js';
import { ThreadInputGate } from '../../../src/slot/exchange/thread-input-gate.js';
import { ThreadResultPartition } from '../../../src/slot/exchange/thread-result-partition.js';
import { ElementTimestamp } from '../../../src/slot/task/event-time/element-timestamp.js';
import { createRecordWriterOutput } from '../../../src/slot/task/record-writer-output.js';

const MAX_PARALLELISM = 128;
const PARTITION = 'job/0/up>down/0';

const settings = testSlotNetworkSettings(4);

/** A hash edge from one producer to two consumers, both in this thread: the partition and the two consumers' gates. */
function keyedEdge() {
  const channels = new InThreadChannels();
  const inThread = new Map([0, 1].map((s) => [s, channels.channel(PARTITION, s)] as const));
  const partition = new ThreadResultPartition(PARTITION, 2, 'Up (1/1)', settings, () => assert.fail('nothing leaves the thread'), inThread);
  const gates = [0, 1].map((s) => new ThreadInputGate(s, [channels.channel(PARTITION, s)], `Down (${s + 1}/2)`, () => undefined));
  return { partition, gates };
}

function drain(gate: ThreadInputGate): { records: unknown[]; keyGroups: (number | undefined)[] } {
  const records: unknown[] = [];
  const keyGroups: (number | undefined)[] = [];
  for (let entry: InputGateEntry | undefined = gate.poll(); entry !== undefined; entry = gate.poll()) {
    if (!('records' in entry)) continue;
    entry.records.forEach((record, i) => {
      records.push(record);
      keyGroups.push(entry.keyGroups?.[i]);
    });
  }
  return { records, keyGroups };
}

test('a hash edge inside the slot\'s thread hands each record\'s key group to its consumer, beside a copy of the record', () => {
  const { partition, gates } = keyedEdge();
  // Key groups 0..63 go to subtask 0, 64..127 to subtask 1.
  const owners = Array.from({ length: MAX_PARALLELISM }, (_, g) => (g < 64 ? 0 : 1));
  const descriptor: OutputDescriptor = { targetVertexId: 'down', targetOperatorId: 'down', partitioning: 'hash', partitionId: PARTITION, numberOfSubpartitions: 2, keyGroupOwners: owners };
  const output = createRecordWriterOutput(descriptor, partition, MAX_PARALLELISM, (r) => (r as { key: unknown }).key, 0, new ElementTimestamp(), undefined);
  const sent: { key: unknown }[] = [...Array.from({ length: 50 }, (_, i) => ({ key: i * 7919 })), ...['a', 'b', 'zz', '', 'ü'].map((key) => ({ key })), { key: [1, 'x'] }];
  for (const record of sent) output.collect(record);
  partition.flushAll();

  const received = gates.map(drain);
  assert.equal(received[0]!.records.length + received[1]!.records.length, sent.length);
  for (const [subtask, { records, keyGroups }] of received.entries()) {
    records.forEach((record, i) => {
      const key = (record as { key: unknown }).key;
      const group = keyGroupOf(key, MAX_PARALLELISM);
      assert.equal(keyGroups[i], group, `key ${JSON.stringify(key)}`);
      assert.equal(owners[group], subtask, `key ${JSON.stringify(key)} reached the subtask owning its group`);
      assert.ok(!sent.includes(record as { key: unknown }), 'the consumer got a copy, not the emitted object');
    });
  }
});

test('records emitted without a key group in the same batch read as -1 (unknown), and batches of plain emits carry none', () => {
  const { partition, gates } = keyedEdge();
  partition.emit(0, 'plain-before');
  partition.emitInKeyGroup(0, 'keyed', NaN, 17);
  partition.emit(0, 'plain-after');
  partition.flushAll();
  assert.deepEqual(drain(gates[0]!), { records: ['plain-before', 'keyed', 'plain-after'], keyGroups: [-1, 17, -1] });

  partition.emit(1, 'only-plain');
  partition.flushAll();
  assert.deepEqual(drain(gates[1]!), { records: ['only-plain'], keyGroups: [undefined] });
});

test('key groups follow their records across batch boundaries and with event timestamps', () => {
  const { partition, gates } = keyedEdge();
  for (let i = 0; i < 10; i++) partition.emitInKeyGroup(0, i, i % 2 === 0 ? 1000 + i : NaN, i * 3);
  partition.flushAll();
  const gate = gates[0]!;
  const keyGroups: number[] = [];
  const timestamps: number[] = [];
  let batches = 0;
  for (let entry = gate.poll(); entry !== undefined; entry = gate.poll()) {
    if (!('records' in entry)) continue;
    batches += 1;
    entry.records.forEach((_, i) => {
      keyGroups.push(entry.keyGroups![i]!);
      timestamps.push(entry.timestamps?.[i] ?? NaN);
    });
  }
  assert.equal(batches, 3, 'maxRecordsPerBuffer 4: batches of 4, 4 and 2');
  assert.deepEqual(keyGroups, Array.from({ length: 10 }, (_, i) => i * 3));
  assert.deepEqual(timestamps, Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 1000 + i : NaN)));
});
