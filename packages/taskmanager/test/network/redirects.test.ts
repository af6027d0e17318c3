import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, resultPartitionId, type TcpNetworkEnvironment } from '../../src/network/index.js';
import { delay, drain, produce, recordsOf, startEnv } from './helpers.js';

/**
 * The TaskManager's data port holds no partition of a slot thread: it
 * answers a request with REDIRECT to the port of the slot's own data server
 * (docs/network.md, "Partition requests and redirects").
 */
describe('redirects from a TaskManager\'s data port to a slot\'s data server', () => {
  const envs: TcpNetworkEnvironment[] = [];
  after(async () => {
    for (const env of envs) await env.stop();
  });

  test('a request that waited at the data port follows the redirect and reads the slot\'s partition', async () => {
    const dataPort = await startEnv('tm-port');
    const slot = await startEnv('tm-slot');
    const consumer = await startEnv('tm-consumer');
    envs.push(dataPort.env, slot.env, consumer.env);
    const id = resultPartitionId('redirect', 0, 'src', 0);
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: dataPort.location }], { owner: 'Sink' });
    await delay(100); // the request waits at the data port: the slot has not reported the partition yet
    const writer = slot.env.createResultPartition(id, 1, { owner: 'Source' });
    dataPort.env.serveElsewhere(id, slot.port);
    await produce(writer, 0, Array.from({ length: 500 }, (_, i) => i));
    writer.broadcastEvent({ kind: 'end-of-partition' });
    const [entries] = await drain(gate);
    assert.deepEqual(recordsOf(entries!), Array.from({ length: 500 }, (_, i) => i));
    await writer.whenFullyConsumed();
    assert.equal(dataPort.env.stats().producer.buffersSent, 0, 'nothing was sent by the data port');
    assert.equal(slot.env.stats().producer.bytesSent, consumer.env.stats().consumer.bytesReceived);
  });

  test('a local channel of an environment with a local peer is requested there and redirected', async () => {
    const dataPort = await startEnv('tm-port-2');
    const slot = await startEnv('tm-slot-2');
    const consumer = await startEnv('tm-consumer-2', { localPeer: dataPort.location });
    envs.push(dataPort.env, slot.env, consumer.env);
    const id = resultPartitionId('local-peer', 0, 'src', 0);
    const writer = slot.env.createResultPartition(id, 1, { owner: 'Source' });
    dataPort.env.serveElsewhere(id, slot.port);
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: 'local' }], { owner: 'Sink' });
    await produce(writer, 0, ['a', 'b']);
    writer.broadcastEvent({ kind: 'end-of-partition' });
    const [entries] = await drain(gate);
    assert.deepEqual(recordsOf(entries!), ['a', 'b']);
  });

  test('a second redirect for the same channel fails it with a protocol error', async () => {
    const first = await startEnv('tm-loop-a');
    const second = await startEnv('tm-loop-b');
    const consumer = await startEnv('tm-loop-c');
    envs.push(first.env, second.env, consumer.env);
    const id = resultPartitionId('loop', 0, 'src', 0);
    first.env.serveElsewhere(id, second.port);
    second.env.serveElsewhere(id, first.port);
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: first.location }], { owner: 'Sink' });
    await gate.whenAvailable();
    assert.ok(gate.failure instanceof ProtocolError, String(gate.failure));
    assert.match(gate.failure.message, /redirected twice/);
  });

  test('a partition the slot no longer serves fails its requests at once, with the reason', async () => {
    const dataPort = await startEnv('tm-port-3', { partitionRequestTimeoutMs: 10_000 });
    const consumer = await startEnv('tm-consumer-3');
    envs.push(dataPort.env, consumer.env);
    const id = resultPartitionId('gone', 0, 'src', 0);
    dataPort.env.serveElsewhere(id, 1);
    dataPort.env.retireElsewhere(id, 'slot 0 of TaskManager tm ran out of memory');
    const started = Date.now();
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: dataPort.location }], { owner: 'Sink' });
    await gate.whenAvailable();
    assert.ok(Date.now() - started < 5_000);
    assert.match(String(gate.failure?.message), /gone\/0\/src\/0 is gone: slot 0 of TaskManager tm ran out of memory/);
  });
});
