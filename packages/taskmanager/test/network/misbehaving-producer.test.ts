import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ProtocolError, recordBatchCodec, type TcpNetworkEnvironment } from '../../src/network/index.js';
import { FrameType, HEADER_BYTES, writeHeader } from '../../src/network/frames.js';
import { startEnv, until } from './helpers.js';

/** A fake producer TaskManager: answers the first PARTITION_REQUEST with `reply(socket, channel)`. */
async function fakeProducer(reply: (socket: Socket, channel: number) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    let seen = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      // HELLO is 15 bytes; the PARTITION_REQUEST follows.
      if (seen.length > 15 + 9 && seen[15 + 4] === FrameType.PARTITION_REQUEST) {
        const channel = seen.readUInt32BE(15 + 5);
        seen = Buffer.alloc(0);
        reply(socket, channel);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function bufferFrame(channel: number, records: unknown[]): Buffer {
  return writeHeader(recordBatchCodec.encode(records, HEADER_BYTES), FrameType.BUFFER, channel);
}

describe('a misbehaving producer', () => {
  const envs: TcpNetworkEnvironment[] = [];
  const servers: Server[] = [];
  after(async () => {
    for (const env of envs) await env.stop();
    for (const server of servers) server.close();
  });

  test('a BUFFER beyond the granted credit closes the connection with an error naming the peer', async () => {
    const { server, port } = await fakeProducer((socket, channel) => {
      for (let i = 0; i < 3; i++) socket.write(bufferFrame(channel, [i]));
    });
    servers.push(server);
    const consumer = await startEnv('tm-c', { initialCredit: 2 });
    envs.push(consumer.env);
    const gate = consumer.env.createInputGate([{ partitionId: 'f/0/a/0', subpartitionIndex: 0, location: { host: '127.0.0.1', port } }], { owner: 'Sink' });
    await until(() => gate.failure !== undefined, 'the gate to fail');
    assert.ok(gate.failure instanceof ProtocolError, String(gate.failure));
    assert.match(gate.failure.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(gate.failure.message, /BUFFER without credit/);
  });

  test('garbage from the producer fails the channels on that connection only', async () => {
    const { server, port } = await fakeProducer((socket) => socket.write(Buffer.from('\0\0\0\x05\x09garbage')));
    servers.push(server);
    const consumer = await startEnv('tm-c2');
    const healthy = await startEnv('tm-p2');
    envs.push(consumer.env, healthy.env);
    const writer = healthy.env.createResultPartition('h/0/a/0', 1, { owner: 'Source' });
    const good = consumer.env.createInputGate([{ partitionId: 'h/0/a/0', subpartitionIndex: 0, location: healthy.location }], { owner: 'Good' });
    const bad = consumer.env.createInputGate([{ partitionId: 'f/0/a/0', subpartitionIndex: 0, location: { host: '127.0.0.1', port } }], { owner: 'Bad' });
    await until(() => bad.failure !== undefined, 'the bad gate to fail');
    assert.match(bad.failure!.message, /unknown frame type 9/);
    writer.emit(0, 'fine');
    writer.flushAll();
    await good.whenAvailable();
    assert.deepEqual(good.poll(), { channel: 0, records: ['fine'] });
    assert.equal(good.failure, undefined);
  });

  test('a buffer that does not decode fails its channel when taken', async () => {
    const { server, port } = await fakeProducer((socket, channel) => {
      const frame = Buffer.alloc(HEADER_BYTES + 3);
      frame.set([0xc1, 0xc1, 0xc1], HEADER_BYTES); // 0xc1 is never used in msgpack
      socket.write(writeHeader(frame, FrameType.BUFFER, channel));
    });
    servers.push(server);
    const consumer = await startEnv('tm-c3');
    envs.push(consumer.env);
    const gate = consumer.env.createInputGate([{ partitionId: 'f/0/a/0', subpartitionIndex: 0, location: { host: '127.0.0.1', port } }], { owner: 'Sink' });
    await gate.whenAvailable();
    assert.equal(gate.poll(), undefined);
    assert.match(gate.failure?.message ?? '', new RegExp(`cannot decode a buffer from 127\\.0\\.0\\.1:${port}`));
  });
});
