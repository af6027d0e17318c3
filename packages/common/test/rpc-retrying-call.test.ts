import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import {
  CHANNEL_OPTIONS,
  IllegalStateError,
  UnreachableError,
  bindServer,
  callUnaryWithRetry,
  createServer,
  rivuletProto,
  shutdownServer,
  unaryHandler,
  type pb,
} from '../src/index.js';

/** A TaskManagerService whose CancelTask runs `cancel`; the other methods are unimplemented. */
async function serve(port: number, cancel: () => void): Promise<grpc.Server> {
  const server = createServer();
  server.addService(rivuletProto().TaskManagerService.service, {
    CancelTask: unaryHandler(() => {
      cancel();
      return {};
    }),
  });
  await bindServer(server, '127.0.0.1', port);
  return server;
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await bindServer(server, '127.0.0.1', 0);
  await shutdownServer(server, 100);
  return port;
}

function client(port: number): pb.TaskManagerServiceClient {
  return new (rivuletProto().TaskManagerService)(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
}

const request = { leader: { sessionId: 's', epoch: 1 }, jobId: 'j', executionAttemptId: 'a' } as never;

test('a peer that is not there yet: retried with backoff until it answers', async () => {
  const port = await freePort();
  let calls = 0;
  let server: grpc.Server | undefined;
  const starting = new Promise<void>((resolve) => setTimeout(() => void serve(port, () => (calls += 1)).then((s) => { server = s; resolve(); }), 400));
  const c = client(port);
  try {
    const started = Date.now();
    await callUnaryWithRetry(c, 'CancelTask', request, { timeoutMs: 1000, deadlineMs: 10_000, target: 'TaskManager at test' });
    assert.equal(calls, 1);
    assert.ok(Date.now() - started >= 350, 'it waited for the server');
  } finally {
    await starting;
    c.close();
    if (server) await shutdownServer(server, 100);
  }
});

test('a peer that stays away: fails at the deadline, saying how many attempts were made', async () => {
  const port = await freePort();
  const c = client(port);
  try {
    const started = Date.now();
    await assert.rejects(
      callUnaryWithRetry(c, 'CancelTask', request, { timeoutMs: 200, deadlineMs: 800, target: 'TaskManager at test' }),
      (err: unknown) => err instanceof UnreachableError && /cannot reach TaskManager at test.*gave up after \d+ attempt\(s\) in \d+ ms/.test(err.message) && !/after 1 attempt/.test(err.message),
    );
    assert.ok(Date.now() - started < 3000, 'bounded by the deadline');
  } finally {
    c.close();
  }
});

test('an error the peer answered with is not retried', async () => {
  const port = await freePort();
  let calls = 0;
  const server = await serve(port, () => {
    calls += 1;
    throw new IllegalStateError('no such task');
  });
  const c = client(port);
  try {
    await assert.rejects(
      callUnaryWithRetry(c, 'CancelTask', request, { timeoutMs: 1000, deadlineMs: 5000, target: 'TaskManager at test' }),
      /no such task/,
    );
    assert.equal(calls, 1);
  } finally {
    c.close();
    await shutdownServer(server, 100);
  }
});
