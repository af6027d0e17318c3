import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { after, describe, test } from 'node:test';
import type { TlsMaterial } from '@rivulet/common';
import { createTestPki } from '@rivulet/testing';
import { resultPartitionId, type TcpNetworkEnvironment } from '../../src/network/index.js';
import { drain, recordsOf, startEnv, until } from './helpers.js';

/**
 * Data connections with internal TLS (docs/security.md): records pass as
 * they do in plaintext; a consumer with a certificate of another CA, or
 * none, or a plaintext one, is refused in the handshake and counted, and the
 * stall check drops a connection that never sends its HELLO.
 */
const pki = createTestPki('network');
const foreign = createTestPki('network-foreign');
const material = (source: typeof pki, name: string): TlsMaterial => {
  const { cert, key } = source.certificate(name);
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8'), ca: readFileSync(source.caCert, 'utf8') };
};
const started: TcpNetworkEnvironment[] = [];
after(async () => {
  for (const env of started) await env.stop();
});

async function producerWith(records: number, tls: TlsMaterial, name: string) {
  const producer = await startEnv(`producer-${name}`, { tls, frameTimeoutMs: 300 });
  started.push(producer.env);
  const id = resultPartitionId(`tls-${name}`, 0, 'src', 0);
  const writer = producer.env.createResultPartition(id, 1, { owner: 'Source' });
  void (async () => {
    for (let i = 0; i < records; i++) {
      if (!writer.isAvailable()) await writer.whenAvailable();
      writer.emit(0, { i, word: `w${i % 97}` });
    }
    writer.broadcastEvent({ kind: 'end-of-partition' });
  })();
  return { ...producer, id };
}

describe('data connections with internal TLS', () => {
  test('records arrive in order over mutual TLS, across many frames', async () => {
    const producer = await producerWith(50_000, material(pki, 'producer'), 'ok');
    const consumer = await startEnv('consumer-ok', { tls: material(pki, 'consumer') });
    started.push(consumer.env);
    const gate = consumer.env.createInputGate([{ partitionId: producer.id, subpartitionIndex: 0, location: producer.location }], { owner: 'Sink' });
    const [entries] = await drain(gate, 30_000);
    const received = recordsOf(entries!) as Array<{ i: number }>;
    assert.equal(received.length, 50_000);
    assert.ok(received.every((r, i) => r.i === i), 'in order');
    assert.ok(producer.env.stats().producer.buffersSent > 10, 'many frames');
  });

  test('a consumer of another CA, or a plaintext one, is refused in the handshake and counted', async () => {
    const producer = await producerWith(10, material(pki, 'producer-2'), 'refused');
    const stranger = await startEnv('consumer-foreign', { tls: material(foreign, 'consumer'), connectTimeoutMs: 3000 });
    started.push(stranger.env);
    const gate = stranger.env.createInputGate([{ partitionId: producer.id, subpartitionIndex: 0, location: producer.location }], { owner: 'Sink' });
    await assert.rejects(drain(gate, 10_000), /data connection to 127\.0\.0\.1:\d+ failed: .*(certificate|self[- ]signed|issuer)/i);
    const plain = connectTcp({ host: '127.0.0.1', port: producer.port });
    plain.on('error', () => undefined);
    plain.on('connect', () => plain.write(Buffer.from([0, 0, 0, 11, 0, 0, 0, 0, 0, 0x52, 0x56, 0x4c, 0x54, 0, 2])));
    plain.resume();
    await new Promise((resolve) => plain.on('close', resolve));
    await until(() => producer.env.stats().connections.refused.tls >= 2, 'two refused handshakes');
  });

  test('a connection that completes its handshake and sends no HELLO is dropped by the stall check', async () => {
    const producer = await producerWith(0, material(pki, 'producer-3'), 'stall');
    const { connect } = await import('node:tls');
    const identity = material(pki, 'silent');
    const silent = connect({ host: '127.0.0.1', port: producer.port, ...identity, checkServerIdentity: () => undefined });
    silent.on('error', () => undefined);
    silent.resume();
    const started = Date.now();
    await new Promise((resolve) => silent.on('close', resolve));
    assert.ok(Date.now() - started < 3000, 'closed within two frame timeouts and some');
    await until(() => producer.env.stats().connections.refused.timeout === 1, 'the stalled connection counted');
  });
});
