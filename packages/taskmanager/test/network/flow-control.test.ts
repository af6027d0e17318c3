import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resultPartitionId, type TcpNetworkEnvironment } from '../../src/network/index.js';
import { delay, drain, recordsOf, startEnv, until } from './helpers.js';

describe('credit-based flow control and batching', () => {
  const envs: TcpNetworkEnvironment[] = [];
  after(async () => {
    for (const env of envs) await env.stop();
  });

  test('a consumer that does not poll stops its producer with bounded memory on both sides', async (t) => {
    const bufferSizeBytes = 4096;
    const initialCredit = 3;
    const maxQueued = 4;
    const producer = await startEnv('tm-p', { bufferSizeBytes, maxQueuedBuffersPerSubpartition: maxQueued, bufferTimeoutMs: -1 });
    const consumer = await startEnv('tm-c', { initialCredit });
    envs.push(producer.env, consumer.env);
    const id = resultPartitionId('bp', 0, 'src', 0);
    const writer = producer.env.createResultPartition(id, 1, { owner: 'Source (1/1)' });
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: producer.location }], { owner: 'Sink (1/1)' });
    const payload = 'x'.repeat(80);
    let emitted = 0;
    // Emit while the writer is available; give the network time to move data, until nothing more can go.
    for (let quietRounds = 0; quietRounds < 10; ) {
      if (writer.isAvailable()) {
        writer.emit(0, { seq: emitted++, payload });
        quietRounds = 0;
      } else {
        await delay(20);
        if (!writer.isAvailable()) quietRounds += 1;
      }
    }
    // Settled: the consumer holds exactly its credit, the producer exactly its queue bound, nothing waits in the socket.
    await until(
      () => consumer.env.stats().consumer.queuedBuffers === initialCredit && producer.env.stats().producer.queuedBuffers === maxQueued,
      'the exchange to settle at credit + queue bound',
    );
    const p = producer.env.stats();
    const c = consumer.env.stats();
    assert.equal(p.producer.socketBufferedBytes, 0);
    const bound = (initialCredit + maxQueued) * bufferSizeBytes * 1.25;
    assert.ok(c.consumer.queuedBytes + p.producer.queuedBytes <= bound, `buffered ${c.consumer.queuedBytes} + ${p.producer.queuedBytes} bytes, bound ${bound}`);
    const perRecord = 95; // measured: ~93 serialized bytes per record here
    assert.ok(emitted <= ((initialCredit + maxQueued + 1) * bufferSizeBytes * 1.25) / perRecord, `emitted ${emitted} records`);
    assert.equal(writer.isAvailable(), false);
    t.diagnostic(`stalled after ${emitted} records: consumer ${c.consumer.queuedBuffers} buffers/${c.consumer.queuedBytes} B, producer ${p.producer.queuedBuffers} buffers/${p.producer.queuedBytes} B`);

    // The consumer catches up: everything arrives, in order.
    const more = 2000;
    const rest = (async () => {
      for (let i = 0; i < more; i++) {
        if (!writer.isAvailable()) await writer.whenAvailable();
        writer.emit(0, { seq: emitted++, payload });
      }
      writer.broadcastEvent({ kind: 'end-of-partition' });
    })();
    const [entries] = await drain(gate);
    await rest;
    const seqs = recordsOf(entries!).map((r) => (r as { seq: number }).seq);
    assert.equal(seqs.length, emitted);
    assert.ok(seqs.every((s, i) => s === i));
    await writer.whenFullyConsumed();
  });

  test('the buffer timeout sends a lone record without a flush', async () => {
    const producer = await startEnv('tm-p2', { bufferTimeoutMs: 50 });
    const consumer = await startEnv('tm-c2');
    envs.push(producer.env, consumer.env);
    const id = resultPartitionId('bt', 0, 'src', 0);
    const writer = producer.env.createResultPartition(id, 1, { owner: 'Source (1/1)' });
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: producer.location }], { owner: 'Sink (1/1)' });
    await delay(50); // let the request reach the producer
    const started = Date.now();
    writer.emit(0, { lone: true });
    await until(() => producer.env.stats().producer.buffersSent === 1, 'the lone record to be sent', 2000);
    const waited = Date.now() - started;
    assert.ok(waited >= 40, `sent after ${waited} ms: the batch waited for the timeout`);
    await gate.whenAvailable();
    assert.deepEqual(gate.poll(), { channel: 0, records: [{ lone: true }] });
  });

  test('a buffer timeout of 0 sends every record at once; -1 waits for a full batch or a flush', async () => {
    const producer = await startEnv('tm-p3', { bufferTimeoutMs: 0 });
    const lazy = await startEnv('tm-p4', { bufferTimeoutMs: -1 });
    const consumer = await startEnv('tm-c3');
    envs.push(producer.env, lazy.env, consumer.env);
    const eager = producer.env.createResultPartition('t0/0/a/0', 1, { owner: 'A' });
    const never = lazy.env.createResultPartition('t1/0/a/0', 1, { owner: 'B' });
    const gate = consumer.env.createInputGate(
      [
        { partitionId: 't0/0/a/0', subpartitionIndex: 0, location: producer.location },
        { partitionId: 't1/0/a/0', subpartitionIndex: 0, location: lazy.location },
      ],
      { owner: 'Sink' },
    );
    eager.emit(0, 1);
    eager.emit(0, 2);
    never.emit(0, 'waits');
    await until(() => producer.env.stats().producer.buffersSent === 2, 'two single-record buffers');
    await delay(200);
    assert.equal(lazy.env.stats().producer.buffersSent, 0, 'nothing sent without a full batch or a flush');
    never.flushAll();
    await until(() => consumer.env.stats().consumer.buffersReceived === 3, 'the flushed batch');
    const polled = [gate.poll(), gate.poll(), gate.poll()];
    assert.deepEqual(polled.map((e) => e && 'records' in e ? e.records : undefined).sort(), [[1], [2], ['waits']].sort());
  });

  test('batches grow to the buffer size: few buffers for many small records', async (t) => {
    const producer = await startEnv('tm-p5', { bufferSizeBytes: 32 * 1024, bufferTimeoutMs: -1 });
    const consumer = await startEnv('tm-c5');
    envs.push(producer.env, consumer.env);
    const writer = producer.env.createResultPartition('bs/0/a/0', 1, { owner: 'A' });
    const gate = consumer.env.createInputGate([{ partitionId: 'bs/0/a/0', subpartitionIndex: 0, location: producer.location }], { owner: 'Sink' });
    const done = drain(gate);
    const count = 50_000;
    for (let i = 0; i < count; i++) {
      if (!writer.isAvailable()) await writer.whenAvailable();
      writer.emit(0, { word: `w${i % 1000}`, count: i });
    }
    writer.broadcastEvent({ kind: 'end-of-partition' });
    const [entries] = await done;
    assert.equal(recordsOf(entries!).length, count);
    const stats = producer.env.stats().producer;
    const meanBytes = stats.bytesSent / stats.buffersSent;
    t.diagnostic(`${stats.buffersSent} buffers, mean ${Math.round(meanBytes)} bytes`);
    assert.ok(meanBytes > 8 * 1024 && meanBytes <= 34 * 1024, `mean buffer ${Math.round(meanBytes)} bytes over ${stats.buffersSent} buffers`);
  });
});
