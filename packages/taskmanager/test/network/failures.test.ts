import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import {
  DataConnectionError, RemoteChannelError, resultPartitionId, type TcpNetworkEnvironment, UnserializableRecordError,
} from '../../src/network/index.js';
import { encodeHello } from '../../src/network/frames.js';
import { capturingLogger, delay, drain, produce, recordsOf, startEnv, until } from './helpers.js';
import { TcpProxy } from '@rivulet/testing';

/** Opens a raw socket to the data port, sends `bytes`, and resolves when the server has closed it. */
async function sendRaw(port: number, bytes: Buffer, end = false): Promise<string> {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const local = `${socket.localAddress}:${socket.localPort}`;
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(bytes);
  if (end) socket.end();
  await closed;
  return local;
}

describe('failures', () => {
  const envs: TcpNetworkEnvironment[] = [];
  const proxies: TcpProxy[] = [];
  after(async () => {
    for (const env of envs) await env.stop();
    for (const proxy of proxies) await proxy.stop();
  });

  test('garbage, a huge length or a truncated frame closes only that connection, with a logged error naming the peer', async () => {
    const logs = capturingLogger();
    const producer = await startEnv('tm-p', { log: logs.log });
    const consumer = await startEnv('tm-c');
    envs.push(producer.env, consumer.env);
    const id = resultPartitionId('g', 0, 'src', 0);
    const writer = producer.env.createResultPartition(id, 1, { owner: 'Source' });
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: producer.location }], { owner: 'Sink' });
    const receiving = drain(gate);
    await produce(writer, 0, [1, 2]);
    writer.flushAll();

    const huge = Buffer.alloc(9);
    huge.writeUInt32BE(0xfffffff0, 0);
    const truncated = Buffer.concat([encodeHello(), Buffer.from([0, 0, 0, 100, 1, 0, 0, 0, 1]), Buffer.alloc(10)]);
    const wrongFirst = Buffer.from([0, 0, 0, 9, 4, 0, 0, 0, 1, 0, 0, 0, 1]); // ADD_CREDIT before HELLO
    const peers = {
      garbage: await sendRaw(producer.port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
      huge: await sendRaw(producer.port, huge),
      truncated: await sendRaw(producer.port, truncated, true),
      wrongFirst: await sendRaw(producer.port, wrongFirst),
      unknownType: await sendRaw(producer.port, Buffer.from([0, 0, 0, 5, 42, 0, 0, 0, 0])),
    };
    const errors = logs.lines().filter((l) => l['level'] === 'error');
    for (const [what, peer] of Object.entries(peers)) {
      const line = errors.find((l) => l['peer'] === peer);
      assert.ok(line, `an error logged for the ${what} peer ${peer}: ${JSON.stringify(errors)}`);
      assert.ok(String(line['err']).includes(peer), `the ${what} error names ${peer}: ${String(line['err'])}`);
    }
    assert.match(String(errors.find((l) => l['peer'] === peers.huge)?.['err']), /frame length 4294967280/);
    assert.match(String(errors.find((l) => l['peer'] === peers.truncated)?.['err']), /truncated frame/);
    assert.match(String(errors.find((l) => l['peer'] === peers.wrongFirst)?.['err']), /expected HELLO/);

    // The real consumer's connection was never disturbed.
    await produce(writer, 0, [3]);
    writer.broadcastEvent({ kind: 'end-of-partition' });
    assert.deepEqual(recordsOf((await receiving)[0]!), [1, 2, 3]);
    assert.equal(producer.env.stats().connections.incoming, 1);
  });

  test('a broken connection fails the consumer gate naming the peer, fails the producer\'s partition too, and a later request reconnects', async () => {
    const producer = await startEnv('tm-p2');
    const consumer = await startEnv('tm-c2');
    envs.push(producer.env, consumer.env);
    const proxy = await TcpProxy.start(producer.port);
    proxies.push(proxy);
    const via = { host: '127.0.0.1', port: proxy.port };
    const writer = producer.env.createResultPartition('k/0/a/0', 2, { owner: 'Source' });
    const gate = consumer.env.createInputGate(
      [0, 1].map((s) => ({ partitionId: 'k/0/a/0', subpartitionIndex: s, location: via })),
      { owner: 'Sink' },
    );
    writer.emit(0, 'before');
    writer.flushAll();
    await gate.whenAvailable();
    const fully = writer.whenFullyConsumed();
    proxy.cut();
    await until(() => gate.failure !== undefined, 'the gate to fail');
    assert.ok(gate.failure instanceof DataConnectionError);
    assert.match(gate.failure.message, new RegExp(`127\\.0\\.0\\.1:${proxy.port}`));
    assert.equal(gate.failure.peer, `127.0.0.1:${proxy.port}`);
    await gate.whenAvailable(); // resolves at once: the task notices
    await assert.rejects(fully, /lost its consumer/);
    await until(() => producer.env.stats().connections.incoming === 0, 'the producer to drop the connection');
    // Both ends report a broken connection: the producer's next write fails, naming the lost consumer.
    assert.throws(() => writer.emit(1, 'after the cut'), /lost its consumer: .*data connection/);
    assert.equal(writer.isAvailable(), true, 'a producer waiting for credit wakes up and finds out');

    // A later request opens a new connection.
    const next = producer.env.createResultPartition('k/0/b/0', 1, { owner: 'Source 2' });
    const gate2 = consumer.env.createInputGate([{ partitionId: 'k/0/b/0', subpartitionIndex: 0, location: via }], { owner: 'Sink 2' });
    next.emit(0, 'after');
    next.broadcastEvent({ kind: 'end-of-partition' });
    assert.deepEqual(recordsOf((await drain(gate2))[0]!), ['after']);
    assert.equal(proxy.accepted, 2);
  });

  test('a producer TaskManager that goes away fails its consumers; one that is not there fails at connect', async () => {
    const producer = await startEnv('tm-p3');
    const consumer = await startEnv('tm-c3');
    envs.push(consumer.env);
    producer.env.createResultPartition('s/0/a/0', 1, { owner: 'Source' });
    const gate = consumer.env.createInputGate([{ partitionId: 's/0/a/0', subpartitionIndex: 0, location: producer.location }], { owner: 'Sink' });
    await delay(50);
    await producer.env.stop();
    await until(() => gate.failure !== undefined, 'the gate to fail');
    assert.match(gate.failure!.message, new RegExp(`127\\.0\\.0\\.1:${producer.port}`));
    const refused = consumer.env.createInputGate([{ partitionId: 's/0/a/0', subpartitionIndex: 0, location: producer.location }], { owner: 'Sink' });
    await until(() => refused.failure !== undefined, 'the connect to fail');
    assert.match(refused.failure!.message, /ECONNREFUSED/);
    assert.match(refused.failure!.message, new RegExp(`data connection to 127\\.0\\.0\\.1:${producer.port}`));
  });

  test('an unserializable record fails the producer call and the consumer with an error naming partition, owner and value', async () => {
    const producer = await startEnv('tm-p4', { bufferTimeoutMs: -1 });
    const consumer = await startEnv('tm-c4');
    envs.push(producer.env, consumer.env);
    const writer = producer.env.createResultPartition('u/0/a/0', 1, { owner: 'Map (1/2)' });
    const gate = consumer.env.createInputGate([{ partitionId: 'u/0/a/0', subpartitionIndex: 0, location: producer.location }], { owner: 'Sink' });
    writer.emit(0, { ok: true });
    writer.flushAll();
    await gate.whenAvailable(); // the consumer is attached: batches are serialized when flushed
    writer.emit(0, { user: 'a', onClick: function handler() {} });
    assert.throws(
      () => writer.flushAll(),
      (error: unknown) =>
        error instanceof UnserializableRecordError &&
        error.path === 'record.onClick' &&
        error.valueType === 'function' &&
        /partition u\/0\/a\/0 \(owner Map \(1\/2\)\): record\.onClick is a function handler/.test(error.message),
    );
    assert.throws(() => writer.emit(0, { ok: true }), UnserializableRecordError);
    await assert.rejects(writer.whenFullyConsumed(), UnserializableRecordError);
    await until(() => gate.failure !== undefined, 'the consumer to fail');
    assert.ok(gate.failure instanceof RemoteChannelError);
    assert.match(gate.failure.message, /record\.onClick is a function/);
  });

  test('an unserializable record queued before its remote consumer came fails that consumer and the producer', async () => {
    const producer = await startEnv('tm-p5', { bufferTimeoutMs: -1 });
    const consumer = await startEnv('tm-c5');
    envs.push(producer.env, consumer.env);
    class Point {
      constructor(readonly x: number) {}
    }
    const writer = producer.env.createResultPartition('v/0/a/0', 1, { owner: 'Map' });
    writer.emit(0, { at: new Point(1) });
    writer.flushAll(); // no consumer yet: the batch waits as objects
    const gate = consumer.env.createInputGate([{ partitionId: 'v/0/a/0', subpartitionIndex: 0, location: producer.location }], { owner: 'Sink' });
    await until(() => gate.failure !== undefined, 'the consumer to fail');
    assert.match(gate.failure!.message, /record\.at is an instance of class Point/);
    assert.throws(() => writer.emit(0, 1), /instance of class Point/);
  });
});
