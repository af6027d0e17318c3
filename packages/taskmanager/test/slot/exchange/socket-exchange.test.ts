import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { silentLogger } from '@rivulet/common';
import type { InputGate, InputGateEntry, TcpNetworkEnvironment } from '../../../src/network/index.js';
import { UnserializableRecordError } from '../../../src/network/index.js';
import { ServedPartitions } from '../../../src/control/slots/served-partitions.js';
import type { SlotNetworkSettings } from '../../../src/protocol/slot-messages.js';
import { SlotNetwork } from '../../../src/slot/exchange/slot-network.js';
import { startEnv } from '../../network/helpers.js';

const settings = (dataPort: number): SlotNetworkSettings => ({
  bufferSizeBytes: 32 * 1024,
  bufferTimeoutMs: -1,
  maxRecordsPerBuffer: 10,
  maxQueuedBuffers: 3,
  maxFrameBytes: 64 * 1024 * 1024,
  gateCredit: 2,
  debloat: undefined,
  initialCredit: 2,
  partitionRequestTimeoutMs: 5_000,
  connectTimeoutMs: 5_000,
  bindHost: '127.0.0.1',
  taskManagerData: { host: '127.0.0.1', port: dataPort },
});

const slots: SlotNetwork[] = [];

/**
 * A slot's network as a slot thread runs it (its own data server and
 * connections), reporting the partitions it serves to the TaskManager's data
 * port `env` as the control thread does, asynchronously.
 */
function wire(env: TcpNetworkEnvironment): SlotNetwork {
  const served = new ServedPartitions(env, silentLogger());
  const slot = new SlotNetwork(settings(env.port!), (message) => {
    const copy = structuredClone(message);
    setImmediate(() => served.handle(copy));
  }, 'tm-test', silentLogger());
  slots.push(slot);
  return slot;
}

async function drainAll(gate: InputGate, timeoutMs = 10_000): Promise<InputGateEntry[]> {
  const entries: InputGateEntry[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!gate.finished) {
    if (gate.failure) throw gate.failure;
    if (Date.now() > deadline) throw new Error('the gate did not finish in time');
    const entry = gate.poll();
    if (entry) entries.push(entry);
    else await Promise.race([gate.whenAvailable(), new Promise((r) => setTimeout(r, 50))]);
  }
  return entries;
}

const recordsIn = (entries: readonly InputGateEntry[]): unknown[] => entries.flatMap((e) => ('records' in e ? e.records : []));

describe('a slot\'s network: in the slot\'s thread, and between slots through the slots\' own data servers', () => {
  const envs: TcpNetworkEnvironment[] = [];
  after(async () => {
    for (const slot of slots) await slot.stop();
    for (const env of envs) await env.stop();
  });

  test('a same-slot channel keeps records in the thread: copies taken at emit, in order, with the events after them', async () => {
    const { env } = await startEnv('tm-a');
    envs.push(env);
    const slot = wire(env);
    const gate = slot.createInputGate([{ partitionId: 'j/0/a/0', subpartitionIndex: 0, location: 'local', sameSlot: true }], { owner: 'Sink' });
    const writer = slot.createResultPartition('j/0/a/0', 1, { owner: 'Source', sameSlot: [0] });
    const sent = Array.from({ length: 25 }, (_, i) => ({ i }));
    for (const record of sent) writer.emit(0, record);
    for (const record of sent) record.i = -1; // the producer changes what it emitted: the consumer's copies keep what was emitted
    writer.broadcastEvent({ kind: 'barrier', checkpointId: 1, timestamp: 1, savepoint: false });
    writer.broadcastEvent({ kind: 'end-of-partition' });
    const entries = await drainAll(gate);
    const received = recordsIn(entries);
    assert.equal(received.length, 25);
    received.forEach((record, i) => {
      assert.notEqual(record, sent[i]);
      assert.deepEqual(record, { i });
    });
    assert.deepEqual(entries.filter((e) => 'event' in e).map((e) => ('event' in e ? e.event.kind : '')), ['barrier', 'end-of-partition']);
    await writer.whenFullyConsumed();
    assert.equal(env.stats().producer.partitions, 0, 'nothing was queued on the control thread');
  });

  test('a same-slot consumer that does not poll stops the producer after a bounded number of batches', async () => {
    const { env } = await startEnv('tm-b');
    envs.push(env);
    const slot = wire(env);
    const gate = slot.createInputGate([{ partitionId: 'j/0/b/0', subpartitionIndex: 0, location: 'local', sameSlot: true }], { owner: 'Sink' });
    const writer = slot.createResultPartition('j/0/b/0', 1, { owner: 'Source', sameSlot: [0] });
    let emitted = 0;
    while (writer.isAvailable() && emitted < 1000) writer.emit(0, emitted++);
    assert.equal(emitted, 30, '3 batches of 10 records');
    const available = writer.whenAvailable();
    const first = gate.poll();
    assert.ok(first && 'records' in first && first.records.length === 10);
    await available;
    assert.ok(writer.isAvailable());
  });

  test('a record that cannot be serialized fails at the producer with the serializer\'s error, in the thread as across threads', async () => {
    const { env } = await startEnv('tm-c');
    envs.push(env);
    const slot = wire(env);
    const errors: Error[] = [];
    const thrownBy = (action: () => void): Error => {
      try {
        action();
      } catch (error) {
        assert.ok(error instanceof UnserializableRecordError, String(error));
        return error;
      }
      throw new Error('nothing was thrown');
    };
    for (const sameSlot of [[0], []]) {
      const id = `j/0/c${sameSlot.length}/0`;
      slot.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: 'local', ...(sameSlot.length > 0 ? { sameSlot: true } : {}) }], { owner: 'Sink' });
      const writer = slot.createResultPartition(id, 1, { owner: 'Map (1/1)', sameSlot });
      // In the thread the copy taken at emit rejects it; across threads the serializer, at the flush.
      errors.push(thrownBy(() => {
        writer.emit(0, { id: 1, handler: function onEvent() {} });
        writer.flushAll();
      }));
    }
    assert.equal(errors.length, 2);
    const [inThread, acrossThreads] = errors.map((e) => e.message.replace(/partition \S+/, 'partition P'));
    assert.equal(inThread, acrossThreads);
    assert.match(inThread!, /record\.handler is a function onEvent/);
  });

  test('a broadcast record reaches the consumer in the slot as a copy of its own, and the other consumers as sent', async () => {
    const { env } = await startEnv('tm-e');
    envs.push(env);
    const producer = wire(env);
    const other = wire(env);
    const id = 'j/0/e/0';
    const inSlot = producer.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: 'local', sameSlot: true }], { owner: 'Sink (1/2)' });
    const elsewhere = other.createInputGate([{ partitionId: id, subpartitionIndex: 1, location: 'local' }], { owner: 'Sink (2/2)' });
    const writer = producer.createResultPartition(id, 2, { owner: 'Source', sameSlot: [0] });
    const record = { rule: 'a', weights: [1, 2] };
    writer.broadcastEmit(record);
    writer.broadcastEvent({ kind: 'end-of-partition' });
    const [mineEntries, theirEntries] = await Promise.all([drainAll(inSlot), drainAll(elsewhere)]);
    const mine = recordsIn(mineEntries);
    const theirs = recordsIn(theirEntries);
    assert.notEqual(mine[0], record);
    (mine[0] as typeof record).weights.push(3); // the consumer in the slot mutates its record
    assert.deepEqual(record, { rule: 'a', weights: [1, 2] }, 'the producer\'s record is unchanged');
    assert.deepEqual(theirs, [{ rule: 'a', weights: [1, 2] }]);
    await writer.whenFullyConsumed();
  });

  test('between slots: the TaskManager\'s data port redirects to the producing slot\'s server; batches arrive decoded, in order, with backpressure bounded by credit', async () => {
    const { env } = await startEnv('tm-d');
    envs.push(env);
    const producer = wire(env);
    const consumer = wire(env);
    const gate = consumer.createInputGate([{ partitionId: 'j/0/d/0', subpartitionIndex: 0, location: 'local' }], { owner: 'Sink' });
    const writer = producer.createResultPartition('j/0/d/0', 1, { owner: 'Source' });
    const sent = Array.from({ length: 2000 }, (_, i) => ({ i, text: `record ${i}` }));
    const received: unknown[] = [];
    const consume = (async () => {
      for (;;) {
        if (gate.failure) throw gate.failure;
        if (gate.finished) return;
        const entry = gate.poll();
        if (entry && 'records' in entry) received.push(...entry.records);
        else if (!entry) await gate.whenAvailable();
      }
    })();
    for (const record of sent) {
      while (!writer.isAvailable()) await writer.whenAvailable();
      writer.emit(0, record);
    }
    writer.broadcastEvent({ kind: 'end-of-partition' });
    await consume;
    await writer.whenFullyConsumed();
    assert.deepEqual(received, sent);
    assert.equal(env.stats().producer.buffersSent, 0, 'no batch went through the TaskManager\'s data port');
    assert.ok(producer.stats().producer.buffersSent >= 200, `the producing slot's server sent the batches (${producer.stats().producer.buffersSent})`);
    assert.equal(consumer.stats().consumer.bytesReceived, producer.stats().producer.bytesSent);
  });

  test('a request for a partition its slot no longer serves fails at once, naming why', async () => {
    const { env } = await startEnv('tm-f');
    envs.push(env);
    const producer = wire(env);
    const writer = producer.createResultPartition('j/0/f/0', 2, { owner: 'Source' });
    await producer.whenListening();
    await waitUntil(() => env.stats().producer.partitions === 0 && servedCount(env) === 1, 'the data port learned the partition');
    writer.release(new Error('the task was cancelled'));
    await writer.whenFullyConsumed().catch(() => undefined);
    await waitUntil(() => servedCount(env) === 0, 'the data port forgot the partition');
    const consumer = wire(env);
    const gate = consumer.createInputGate([{ partitionId: 'j/0/f/0', subpartitionIndex: 1, location: 'local' }], { owner: 'Sink' });
    const started = Date.now();
    await gate.whenAvailable();
    assert.ok(Date.now() - started < 2_000, 'failed before the request timeout');
    assert.match(String(gate.failure?.message), /j\/0\/f\/0 is gone: .*the task was cancelled/);
  });
});

function servedCount(env: TcpNetworkEnvironment): number {
  return (env as unknown as { partitions: { elsewhereSize: number } }).partitions.elsewhereSize;
}

async function waitUntil(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
