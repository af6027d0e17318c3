import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, GrpcConnectionGuard, bindServer, callUnary, createServer, rivuletProto, shutdownServer, unaryHandler, type pb } from '../src/index.js';

/**
 * The guard in front of a gRPC port: grpc-js alone keeps a connection open
 * for as long as a silent or slow-dripping peer likes. Real sockets on
 * 127.0.0.1, a short idle timeout.
 */
const IDLE_MS = 600;
const refused: Array<'timeout' | 'protocol'> = [];
let server: grpc.Server;
let port: number;

before(async () => {
  const guard = new GrpcConnectionGuard(IDLE_MS, (_peer, reason) => refused.push(reason));
  server = createServer({ interceptors: [guard.interceptor()] });
  server.addService(rivuletProto().JobManagerService.service, { ClusterOverview: unaryHandler(() => ({})) } as unknown as grpc.UntypedServiceImplementation);
  port = await bindServer(server, '127.0.0.1', 0, { guard });
});
after(() => shutdownServer(server, 500));

function closedWithin(socket: Socket, ms: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    socket.on('error', () => undefined);
    socket.resume(); // read what the server sends, so its end is seen
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe('GrpcConnectionGuard', () => {
  test('a silent client, and one that drips the HTTP/2 preface, are closed after the idle timeout and counted', async () => {
    const silent = connect({ host: '127.0.0.1', port });
    const dripping = connect({ host: '127.0.0.1', port });
    const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < preface.length) dripping.write(preface.subarray(sent, ++sent));
    }, 20);
    try {
      const [a, b] = await Promise.all([closedWithin(silent, 4 * IDLE_MS), closedWithin(dripping, 4 * IDLE_MS)]);
      assert.ok(a >= IDLE_MS && b >= IDLE_MS, `closed after ${a} and ${b} ms`);
    } finally {
      clearInterval(drip);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(refused.splice(0), ['timeout', 'timeout']);
  });

  test('garbage is refused: the connection closes and is counted', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')));
    await closedWithin(socket, 4 * IDLE_MS);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(refused.splice(0).length, 1);
  });

  test('a client that makes calls is never counted, and its channel reconnects after an idle close', async () => {
    const client = new (rivuletProto().JobManagerService)(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as pb.JobManagerServiceClient;
    try {
      await callUnary(client, 'ClusterOverview', {}, { timeoutMs: 2000, target: 'test' });
      await new Promise((resolve) => setTimeout(resolve, 3 * IDLE_MS));
      await callUnary(client, 'ClusterOverview', {}, { timeoutMs: 2000, target: 'test' });
    } finally {
      client.close();
    }
    assert.deepEqual(refused, []);
  });
});
