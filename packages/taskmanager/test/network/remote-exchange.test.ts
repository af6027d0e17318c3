import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resultPartitionId, type TcpNetworkEnvironment } from '../../src/network/index.js';
import { drain, produce, recordsOf, startEnv } from './helpers.js';

describe('remote exchange over one TCP connection', () => {
  const envs: TcpNetworkEnvironment[] = [];
  after(async () => {
    for (const env of envs) await env.stop();
  });

  test('12 channels multiplexed over exactly one connection deliver every record in order', async () => {
    const producer = await startEnv('tm-producer', { bufferSizeBytes: 2048 });
    const consumer = await startEnv('tm-consumer');
    envs.push(producer.env, consumer.env);
    const producers = 4;
    const consumers = 3;
    const perChannel = 3000;
    // Consumers first: their requests wait for the partitions.
    const gates = Array.from({ length: consumers }, (_, c) =>
      consumer.env.createInputGate(
        Array.from({ length: producers }, (_, p) => ({ partitionId: resultPartitionId('job', 0, 'map', p), subpartitionIndex: c, location: producer.location })),
        { owner: `Sink (${c + 1}/${consumers})` },
      ),
    );
    const writers = Array.from({ length: producers }, (_, p) =>
      producer.env.createResultPartition(resultPartitionId('job', 0, 'map', p), consumers, { owner: `Map (${p + 1}/${producers})` }),
    );
    const produced = writers.map(async (writer, p) => {
      for (let seq = 0; seq < perChannel; seq++) {
        for (let c = 0; c < consumers; c++) {
          if (!writer.isAvailable()) await writer.whenAvailable();
          writer.emit(c, { p, c, seq, word: `w${seq % 17}` });
        }
      }
      writer.broadcastEvent({ kind: 'end-of-partition' });
      await writer.whenFullyConsumed();
    });
    const received = await Promise.all(gates.map((gate) => drain(gate, 30_000)));
    await Promise.all(produced);
    for (let c = 0; c < consumers; c++) {
      for (let p = 0; p < producers; p++) {
        const entries = received[c]![p]!;
        const records = recordsOf(entries) as Array<{ p: number; c: number; seq: number }>;
        assert.equal(records.length, perChannel, `channel ${p} of gate ${c}`);
        records.forEach((r, i) => assert.deepEqual([r.p, r.c, r.seq], [p, c, i]));
        assert.deepEqual(entries.at(-1), { channel: p, event: { kind: 'end-of-partition' } });
      }
      assert.equal(gates[c]!.finished, true);
      assert.equal(gates[c]!.poll(), undefined);
    }
    assert.equal(producer.env.stats().connections.acceptedTotal, 1, 'one connection accepted by the producer TaskManager');
    assert.equal(consumer.env.stats().connections.outgoing, 1, 'one connection opened by the consumer TaskManager');
    assert.ok(producer.env.stats().producer.buffersSent > producers * consumers, 'records travelled in many buffers');
  });

  test('events arrive after the records emitted before them, end-of-partition last', async () => {
    const producer = await startEnv('tm-p2');
    const consumer = await startEnv('tm-c2');
    envs.push(producer.env, consumer.env);
    const id = resultPartitionId('job2', 0, 'src', 0);
    const writer = producer.env.createResultPartition(id, 1, { owner: 'Source (1/1)' });
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: producer.location }], { owner: 'Map (1/1)' });
    await produce(writer, 0, [1, 2, 3].map((n) => ({ n })));
    writer.broadcastEvent({ kind: 'barrier', checkpointId: 7, timestamp: 123, savepoint: false });
    await produce(writer, 0, [4, 5].map((n) => ({ n })));
    writer.broadcastEvent({ kind: 'end-of-partition' });
    const [entries] = await drain(gate);
    const flat = entries!.flatMap((e): Array<number | string> => ('records' in e ? e.records.map((r) => (r as { n: number }).n) : [e.event.kind]));
    assert.deepEqual(flat, [1, 2, 3, 'barrier', 4, 5, 'end-of-partition']);
    await writer.whenFullyConsumed();
  });

  test('records of many shapes and types arrive equal', async () => {
    const producer = await startEnv('tm-p3');
    const consumer = await startEnv('tm-c3');
    envs.push(producer.env, consumer.env);
    const id = resultPartitionId('job3', 0, 'src', 0);
    const writer = producer.env.createResultPartition(id, 1, { owner: 'Source (1/1)' });
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: producer.location }], { owner: 'Map (1/1)' });
    const records: unknown[] = [];
    for (let i = 0; i < 500; i++) {
      records.push(i % 5 === 0 ? `s${i}` : i % 5 === 1 ? { ['k' + (i % 90)]: i } : i % 5 === 2 ? [i, { x: i }] : i % 5 === 3 ? { when: new Date(i), big: BigInt(i) ** 3n } : null);
    }
    await produce(writer, 0, records);
    writer.broadcastEvent({ kind: 'end-of-partition' });
    const [entries] = await drain(gate);
    assert.deepEqual(recordsOf(entries!), records);
  });
});
