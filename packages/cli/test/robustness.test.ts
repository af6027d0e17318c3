import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import {
  parsePrometheusText,
  runCliJson,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
} from '@rivulet/testing';

after(stopAllProcesses);

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Sends bytes and waits for the peer to close the socket (or 1 s). */
async function sendGarbage(port: number, bytes: Buffer): Promise<void> {
  const socket = await openSocket(port);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, 1000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.write(bytes);
  });
}

const GARBAGE = [
  Buffer.from('\x00\xff\x13\x37 definitely not a protocol \r\n\r\n'),
  Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -7\r\n\r\n'),
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04\x99\x99\x99\x99\x99\x99garbage-after-preface'),
  Buffer.alloc(64 * 1024, 0xab),
];

interface ClusterJson {
  taskmanagers: unknown[];
}

describe('daemons under malformed traffic', { timeout: 60_000 }, () => {
  test('garbage bytes and half-open connections on the gRPC and HTTP ports: both daemons keep serving', async () => {
    const jm = await startJobManager();
    const tm = await startTaskManager(jm.rpcAddress, { slots: 2 });
    const restPort = Number(new URL(jm.restUrl).port);
    const ports = [jm.rpcPort, restPort, tm.rpcPort, tm.httpPort];

    // Half-open: connect, send part of a request, never finish it.
    const halfOpen = await Promise.all(ports.map(async (port) => {
      const socket = await openSocket(port);
      socket.on('error', () => undefined);
      socket.write('PRI * HTTP/2.0\r\n');
      return socket;
    }));
    await Promise.all(ports.flatMap((port) => GARBAGE.map((bytes) => sendGarbage(port, bytes))));

    const cluster = await runCliJson<ClusterJson>(['cluster', '--jobmanager', jm.rpcAddress]);
    assert.equal(cluster.taskmanagers.length, 1, 'the TaskManager is still registered');
    const overview = await fetch(`${jm.restUrl}/overview`);
    assert.equal(overview.status, 200);
    const tmHealth = await fetch(`http://127.0.0.1:${tm.httpPort}/healthz`);
    assert.equal(tmHealth.status, 200);
    assert.deepEqual(await tmHealth.json(), { status: 'ok', registered: true });
    assert.ok(jm.daemon.running && tm.daemon.running);
    for (const socket of halfOpen) socket.destroy();
    // Ready means registered with the leader; healthy only that the process serves.
    const tmReady = await fetch(`http://127.0.0.1:${tm.httpPort}/readyz`);
    assert.equal(tmReady.status, 200);
    assert.deepEqual(await tmReady.json(), { status: 'ready', registered: true });
    await jm.daemon.stop();
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${tm.httpPort}/readyz`)).status === 503 ? true : undefined), { timeoutMs: 15_000, what: 'the TaskManager not ready without its JobManager' });
    assert.equal((await fetch(`http://127.0.0.1:${tm.httpPort}/healthz`)).status, 200, 'still healthy: it keeps trying to register');
    await stopAllProcesses();
  });

  test('/metrics on every daemon is Prometheus text with the TaskManager and slot gauges', async () => {
    const jm = await startJobManager();
    const tm = await startTaskManager(jm.rpcAddress, { slots: 3 });
    await waitFor(async () => (await (await fetch(`${jm.restUrl}/overview`)).json() as { taskmanagers: number }).taskmanagers === 1, {
      timeoutMs: 10_000,
      what: 'the TaskManager to register',
    });

    const jmMetrics = await fetch(`${jm.restUrl}/metrics`);
    assert.match(jmMetrics.headers.get('content-type') ?? '', /text\/plain/);
    const jmFamilies = parsePrometheusText(await jmMetrics.text());
    const value = (name: string): number =>
      Number(jmFamilies.find((f) => f.name === name)?.metrics[0]?.value ?? Number.NaN);
    assert.equal(value('rivulet_jobmanager_numRegisteredTaskManagers'), 1);
    assert.equal(value('rivulet_jobmanager_taskSlotsTotal'), 3);
    assert.equal(value('rivulet_jobmanager_taskSlotsAvailable'), 3);
    assert.equal(value('rivulet_jobmanager_is_leader'), 1);

    const tmFamilies = parsePrometheusText(await (await fetch(`http://127.0.0.1:${tm.httpPort}/metrics`)).text());
    const tmValue = (name: string): number =>
      Number(tmFamilies.find((f) => f.name === name)?.metrics[0]?.value ?? Number.NaN);
    assert.equal(tmValue('rivulet_taskmanager_Status_TaskSlots_total'), 3);
    assert.equal(tmValue('rivulet_taskmanager_Status_TaskSlots_available'), 3);
    assert.equal(tmValue('rivulet_taskmanager_registered'), 1);
    assert.ok(tmFamilies.some((f) => f.name === 'rivulet_taskmanager_process_cpu_seconds_total'), 'process metrics');
    await stopAllProcesses();
  });

  test('REST answers Flink-shaped errors for unknown paths and /readyz while leading', async () => {
    const jm = await startJobManager();
    const missing = await fetch(`${jm.restUrl}/no/such/path`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { errors: ['Not found: GET /no/such/path'] });
    const ready = await fetch(`${jm.restUrl}/readyz`);
    assert.equal(ready.status, 200);
    const jobs = await fetch(`${jm.restUrl}/jobs`);
    assert.deepEqual(await jobs.json(), { jobs: [] });
    await stopAllProcesses();
  });
});
