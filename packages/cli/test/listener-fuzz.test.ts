import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHANNEL_OPTIONS, RivuletError, callUnary, rivuletProto, type pb } from '@rivulet/common';
import * as grpc from '@grpc/grpc-js';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  parsePrometheusText,
  runCli,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

/**
 * Every listening port of a JobManager and a TaskManager (JobManager gRPC
 * and REST, TaskManager gRPC, data and HTTP) gets thousands of random,
 * truncated and oversized inputs and a slow-dripping client. Nothing may
 * crash or restart, the slow clients are dropped within their timeouts,
 * the refusals are counted, and the cluster then runs a job correctly.
 * Short timeouts so that the slow clients are dropped within seconds.
 */
const dir = mkdtempSync(join(tmpdir(), 'rivulet-fuzz-'));
const COUNT_JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'flaky-count-job.ts');
const INPUTS_PER_PORT = 700;
const CONCURRENCY = 100;
const settings = [
  'rest.idleness-timeout=3s', 'rpc.idleness-timeout=2s', 'taskmanager.network.frame-timeout=1s',
  'pekko.framesize=1048576', 'rest.server.max-content-length=65536',
  `execution.checkpointing.dir=${join(dir, 'checkpoints')}`,
];
let jm: StartedJobManager;
let tm: StartedTaskManager;
const ports: Record<string, number> = {};

before(async () => {
  jm = await startJobManager({ set: settings });
  tm = await startTaskManager(jm.rpcAddress, { slots: 2, set: settings });
  ports['jobmanager gRPC'] = jm.rpcPort;
  ports['jobmanager REST'] = Number(new URL(jm.restUrl).port);
  ports['taskmanager gRPC'] = tm.rpcPort;
  ports['taskmanager data'] = Number(tm.daemon.logs.find((e) => e.msg === 'TaskManager running')?.['dataPort']);
  ports['taskmanager HTTP'] = tm.httpPort;
});

after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

/** mulberry32: the same inputs on every run (another seed with RIVULET_FUZZ_SEED). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(Number(process.env['RIVULET_FUZZ_SEED'] ?? 1517));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const truncate = (bytes: Buffer): Buffer => bytes.subarray(0, Math.floor(random() * bytes.length));

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const frame = (type: number, channel: number, payload: Buffer): Buffer => {
  const header = Buffer.alloc(9);
  header.writeUInt32BE(payload.length + 5, 0);
  header.writeUInt8(type, 4);
  header.writeUInt32BE(channel, 5);
  return Buffer.concat([header, payload]);
};
const HELLO = frame(0, 0, Buffer.from([0x52, 0x56, 0x4c, 0x54, 0, 2]));
const REQUEST = frame(1, 1, Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 4]), Buffer.from('job/1/vertex/partition-0')]));

/** What a fuzzed connection sends: random, a truncated well-formed start, or something oversized. */
function input(port: string): Buffer {
  const kind = pick(['random', 'truncated', 'oversized']);
  if (kind === 'random') return randomBytes(1 + Math.floor(random() * 4096));
  const http = port.endsWith('REST') || port.endsWith('HTTP');
  if (kind === 'truncated') {
    if (http) return truncate(Buffer.from(pick(['GET /overview HTTP/1.1\r\nHost: x\r\n\r\n', 'PATCH /jobs/0123?mode=cancel HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}', 'GET /metrics HTTP/1.1\r\n'])));
    if (port.endsWith('gRPC')) return truncate(Buffer.concat([HTTP2_PREFACE, Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), randomBytes(64)]));
    return truncate(Buffer.concat([HELLO, REQUEST]));
  }
  if (http) {
    return pick([
      Buffer.concat([Buffer.from('POST /jobs/0123/stop HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n'), Buffer.alloc(100_000, 0x7b)]),
      Buffer.from(`GET /overview HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`),
    ]);
  }
  if (port.endsWith('gRPC')) return Buffer.concat([HTTP2_PREFACE, Buffer.from([0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1]), randomBytes(2048)]);
  const huge = Buffer.alloc(9);
  huge.writeUInt32BE(0xffffff00, 0);
  return Buffer.concat([HELLO, huge, randomBytes(1024)]);
}

/** Sends `bytes`, then gives the server 300 ms to close before closing ourselves. */
function send(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => socket.destroy(), 300);
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.end(bytes));
    socket.resume();
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** One byte every 100 ms; resolves with how long the server took to close the connection (rejects after `limitMs`). */
function slowDrip(port: number, bytes: Buffer, limitMs: number): Promise<number> {
  const started = Date.now();
  const socket: Socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  socket.resume();
  let sent = 0;
  const drip = setInterval(() => {
    if (sent < bytes.length) socket.write(bytes.subarray(sent, ++sent));
  }, 100);
  return new Promise((resolve, reject) => {
    const limit = setTimeout(() => {
      clearInterval(drip);
      socket.destroy();
      reject(new Error(`still open after ${limitMs} ms`));
    }, limitMs);
    socket.on('close', () => {
      clearInterval(drip);
      clearTimeout(limit);
      resolve(Date.now() - started);
    });
  });
}

async function metricSum(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const family = parsePrometheusText(await (await fetch(`${url}/metrics`)).text()).find((f) => f.name === name);
  return (family?.metrics ?? [])
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

const alive = (): boolean => jm.daemon.child.exitCode === null && tm.daemon.child.exitCode === null && jm.daemon.child.signalCode === null && tm.daemon.child.signalCode === null;

// About 40 s on an idle machine; the bound leaves room for a loaded one.
describe('every listening port under garbage, truncated and oversized input and slow clients', { timeout: 150_000 }, () => {
  test(`${INPUTS_PER_PORT} inputs on each of five ports: no crash`, async (t) => {
    const started = Date.now();
    for (const [name, port] of Object.entries(ports)) {
      const inputs = Array.from({ length: INPUTS_PER_PORT }, () => input(name));
      for (let i = 0; i < inputs.length; i += CONCURRENCY) {
        await Promise.all(inputs.slice(i, i + CONCURRENCY).map((bytes) => send(port, bytes)));
      }
      assert.ok(alive(), `the daemons are alive after ${name}`);
    }
    t.diagnostic(`${INPUTS_PER_PORT * 5} inputs in ${Date.now() - started} ms`);
  });

  test('an oversized gRPC message is refused before it is buffered, naming pekko.framesize', async () => {
    const client = new (rivuletProto().JobManagerService)(jm.rpcAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as pb.JobManagerServiceClient;
    try {
      await assert.rejects(
        callUnary(client, 'SubmitJob', { jobGraph: Buffer.alloc(10), bundle: Buffer.alloc(2 * 1024 * 1024) } as never, { timeoutMs: 5000, target: 'JobManager' }),
        (err: unknown) => err instanceof RivuletError && /larger than it accepts \(pekko\.framesize\)/.test(err.message),
      );
    } finally {
      client.close();
    }
  });

  test('a slow-dripping client on every port is dropped within its timeout', async () => {
    const request = Buffer.from(`GET /overview HTTP/1.1\r\nHost: x\r\n${'X-Drip: 1\r\n'.repeat(30)}\r\n`);
    const dripped = await Promise.all([
      slowDrip(ports['jobmanager gRPC']!, Buffer.concat([HTTP2_PREFACE, Buffer.alloc(200)]), 8000),
      slowDrip(ports['taskmanager gRPC']!, Buffer.concat([HTTP2_PREFACE, Buffer.alloc(200)]), 8000),
      slowDrip(ports['jobmanager REST']!, request, 8000),
      slowDrip(ports['taskmanager HTTP']!, request, 8000),
      slowDrip(ports['taskmanager data']!, Buffer.concat([HELLO, REQUEST, REQUEST]), 8000),
    ]);
    assert.ok(dripped.every((ms) => ms < 8000), `closed after ${dripped.join(', ')} ms`);
    assert.ok(alive());
  });

  test('the refusals are counted on every port', async () => {
    const tmUrl = `http://127.0.0.1:${tm.httpPort}`;
    await waitFor(async () => ((await metricSum(tmUrl, 'rivulet_taskmanager_Shuffle_refusedConnections', { reason: 'timeout' })) >= 1 ? true : undefined), { timeoutMs: 5000, what: 'the data port counted the slow client' });
    assert.ok(await metricSum(tmUrl, 'rivulet_taskmanager_Shuffle_refusedConnections', { reason: 'protocol' }) >= INPUTS_PER_PORT / 2, 'garbage on the data port');
    for (const port of ['rpc', 'rest'] as const) {
      assert.ok(await metricSum(jm.restUrl, 'rivulet_jobmanager_security_refused_total', { port }) >= INPUTS_PER_PORT / 2, `JobManager ${port}`);
    }
    for (const port of ['rpc', 'http'] as const) {
      assert.ok(await metricSum(tmUrl, 'rivulet_taskmanager_security_refused_total', { port }) >= INPUTS_PER_PORT / 2, `TaskManager ${port}`);
    }
  });

  test('afterwards the same processes run a keyed count exactly once', async () => {
    assert.ok(alive(), 'no daemon exited or restarted');
    const output = join(dir, 'out');
    const result = await runCli([
      'run', COUNT_JOB, '--jobmanager', jm.rpcAddress, '--output', 'json', '--parallelism', '2',
      '--', '--n', '20000', '--keys', '11', '--fail-at', '-1', '--failures', '0', '--markers', join(dir, 'markers'), '--output', output,
    ], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { state: string }).state, 'FINISHED');
    assertCountsExactlyOnce(output, 20_000, 11);
  });
});
