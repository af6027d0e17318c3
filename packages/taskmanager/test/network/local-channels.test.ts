import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TcpNetworkEnvironment } from '../../src/network/index.js';
import { drain, recordsOf, startEnv } from './helpers.js';

describe('local channels and the input gate', () => {
  const envs: TcpNetworkEnvironment[] = [];
  after(async () => {
    for (const env of envs) await env.stop();
  });

  test('a local channel passes the same object references, never serialized', async () => {
    const { env } = await startEnv('tm');
    envs.push(env);
    const writer = env.createResultPartition('l/0/a/0', 1, { owner: 'Source' });
    const gate = env.createInputGate([{ partitionId: 'l/0/a/0', subpartitionIndex: 0, location: 'local' }], { owner: 'Sink' });
    const fn = (): number => 1; // not even serializable: a local channel does not care
    const sent = [{ id: 1, fn }, { id: 2, fn }];
    for (const record of sent) writer.emit(0, record);
    writer.broadcastEvent({ kind: 'end-of-partition' });
    const received = recordsOf((await drain(gate))[0]!);
    assert.equal(received.length, 2);
    assert.equal(received[0], sent[0]);
    assert.equal(received[1], sent[1]);
    await writer.whenFullyConsumed();
    assert.equal(env.stats().producer.bytesSent, 0);
  });

  test('a local consumer that does not poll makes the writer unavailable after a bounded number of batches', async () => {
    const { env } = await startEnv('tm2', { maxRecordsPerBuffer: 10, maxQueuedBuffersPerSubpartition: 3 });
    envs.push(env);
    const writer = env.createResultPartition('l/0/b/0', 1, { owner: 'Source' });
    const gate = env.createInputGate([{ partitionId: 'l/0/b/0', subpartitionIndex: 0, location: 'local' }], { owner: 'Sink' });
    let emitted = 0;
    while (writer.isAvailable()) writer.emit(0, emitted++);
    assert.equal(emitted, 30, '3 batches of 10 records');
    assert.equal(env.stats().producer.queuedBuffers, 3);
    const available = writer.whenAvailable();
    assert.deepEqual(gate.poll(), { channel: 0, records: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    await available;
    assert.equal(writer.isAvailable(), true);
  });

  test('poll round-robins over channels with data and skips blocked channels', async () => {
    const { env } = await startEnv('tm3', { maxRecordsPerBuffer: 1 });
    envs.push(env);
    const writers = [0, 1, 2].map((p) => env.createResultPartition(`rr/0/a/${p}`, 1, { owner: `Source ${p}` }));
    const gate = env.createInputGate([0, 1, 2].map((p) => ({ partitionId: `rr/0/a/${p}`, subpartitionIndex: 0, location: 'local' as const })), { owner: 'Sink' });
    // Channel 0 has far more data than the others: it must not starve them.
    for (let i = 0; i < 10; i++) writers[0]!.emit(0, `a${i}`);
    writers[1]!.emit(0, 'b0');
    writers[1]!.emit(0, 'b1');
    writers[2]!.emit(0, 'c0');
    const order = Array.from({ length: 6 }, () => gate.poll()?.channel);
    assert.deepEqual(order, [0, 1, 2, 0, 1, 0]);

    gate.blockChannel(0);
    assert.equal(gate.poll(), undefined, 'only the blocked channel has data');
    let woke = false;
    const waiting = gate.whenAvailable().then(() => {
      woke = true;
    });
    writers[0]!.emit(0, 'more for the blocked channel');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(woke, false, 'data on a blocked channel does not wake the task');
    writers[2]!.emit(0, 'c1');
    await waiting;
    assert.deepEqual(gate.poll(), { channel: 2, records: ['c1'] });
    gate.unblockChannel(0);
    assert.equal(gate.poll()?.channel, 0);
  });

  test('the gate finishes only after every channel ended and was drained; whenFullyConsumed follows', async () => {
    const { env } = await startEnv('tm4');
    envs.push(env);
    const writers = [0, 1].map((p) => env.createResultPartition(`f/0/a/${p}`, 1, { owner: `Source ${p}` }));
    const gate = env.createInputGate([0, 1].map((p) => ({ partitionId: `f/0/a/${p}`, subpartitionIndex: 0, location: 'local' as const })), { owner: 'Sink' });
    writers[0]!.emit(0, 'x');
    writers[0]!.broadcastEvent({ kind: 'end-of-partition' });
    const consumed = writers[0]!.whenFullyConsumed();
    assert.equal(gate.poll()?.channel, 0);
    assert.deepEqual(gate.poll(), { channel: 0, event: { kind: 'end-of-partition' } });
    await consumed;
    assert.equal(gate.finished, false);
    writers[1]!.broadcastEvent({ kind: 'end-of-partition' });
    assert.throws(() => writers[1]!.emit(0, 'late'), /already ended/);
    assert.deepEqual(gate.poll(), { channel: 1, event: { kind: 'end-of-partition' } });
    assert.equal(gate.finished, true);
    await gate.whenAvailable();
    await writers[1]!.whenFullyConsumed();
  });

  test('closing a gate early releases its local subpartitions', async () => {
    const { env } = await startEnv('tm5');
    envs.push(env);
    const writer = env.createResultPartition('c/0/a/0', 1, { owner: 'Source' });
    const gate = env.createInputGate([{ partitionId: 'c/0/a/0', subpartitionIndex: 0, location: 'local' }], { owner: 'Sink' });
    writer.emit(0, 1);
    gate.close();
    await assert.rejects(writer.whenFullyConsumed(), /lost its consumer: the local consumer of channel 0 closed its input gate/);
    assert.equal(env.stats().consumer.gates, 0);
  });
});
