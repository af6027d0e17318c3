import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { startNatsServer, type StartedNatsServer } from '../src/index.js';

/**
 * startNatsServer against the real nats-server (Debian's package, installed
 * by scripts/setup.sh): it is ready with JetStream on, stop/start keep the
 * port and the store, close removes the store, credentials are enforced.
 * Spoken to in the NATS text protocol over a raw socket, so the helper needs
 * no client library.
 */
// No skipping: without nats-server startNatsServer fails, naming the package.

/** Connects, sends CONNECT (with credentials when given) and PING, and returns the server's INFO and its answer. */
function handshake(port: number, credentials?: { user: string; pass: string }): Promise<{ info: Record<string, unknown>; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from nats-server on port ${port} within 5 s`));
    }, 5000);
    let buffered = '';
    let info: Record<string, unknown> | undefined;
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\r\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (info === undefined && line.startsWith('INFO ')) {
          info = JSON.parse(line.slice(5)) as Record<string, unknown>;
          const connectOptions = { verbose: false, pedantic: false, ...(credentials ?? {}) };
          socket.write(`CONNECT ${JSON.stringify(connectOptions)}\r\nPING\r\n`);
        } else if (info !== undefined && (line === 'PONG' || line.startsWith('-ERR'))) {
          clearTimeout(timer);
          socket.destroy();
          resolve({ info, answer: line });
        }
      }
    });
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('startNatsServer', { timeout: 60_000 }, () => {
  let server: StartedNatsServer;
  before(async () => {
    server = await startNatsServer();
  });
  after(async () => {
    await server?.close();
  });

  test('is ready with JetStream on, on a free 127.0.0.1 port', async () => {
    assert.equal(server.endpoint, `nats://127.0.0.1:${server.port}`);
    assert.ok(server.pid > 0);
    const { info, answer } = await handshake(server.port);
    assert.equal(answer, 'PONG');
    assert.equal(info['jetstream'], true, 'INFO says JetStream is enabled');
    assert.match(String(info['version']), /^2\./);
  });

  test('stop ends the process by pid; start brings it back on the same port and store', async () => {
    const firstPid = server.pid;
    await server.stop();
    assert.equal(server.running, false);
    assert.equal(server.pid, -1);
    assert.ok(await refused(server.port), 'nothing listens while stopped');
    assert.ok(existsSync(server.storeDir), 'the store is kept');
    await server.start();
    assert.ok(server.running);
    assert.notEqual(server.pid, firstPid);
    assert.equal((await handshake(server.port)).answer, 'PONG');
  });

  test('kill is a SIGKILL; close removes the store', async () => {
    const other = await startNatsServer();
    await other.kill();
    assert.ok(await refused(other.port));
    await other.start();
    assert.equal((await handshake(other.port)).answer, 'PONG');
    await other.close();
    assert.ok(!existsSync(other.storeDir), 'close removed the store');
    assert.ok(await refused(other.port));
  });

  test('with user and password, only those credentials connect', async () => {
    const secured = await startNatsServer({ user: 'rivulet', password: 's3cret' });
    try {
      assert.equal((await handshake(secured.port, { user: 'rivulet', pass: 's3cret' })).answer, 'PONG');
      assert.match((await handshake(secured.port, { user: 'rivulet', pass: 'wrong' })).answer, /Authorization Violation/i);
      assert.match((await handshake(secured.port)).answer, /Authorization Violation/i);
    } finally {
      await secured.close();
    }
  });
});
