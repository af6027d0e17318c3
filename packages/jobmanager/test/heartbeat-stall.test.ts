import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, silentLogger } from '@rivulet/common';
import { JobManagerMetrics, TaskManagerRegistry } from '../src/index.js';
import { HeartbeatManager } from '../src/resourcemanager/heartbeat-manager.js';
import { registrationRequest } from './fixtures/registration-request.js';

const INTERVAL_MS = 100;
const TIMEOUT_MS = 300;

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the JobManager's event loop is busy (a long deployment, a GC pause)
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('a JobManager stalled past heartbeat.timeout does not declare TaskManagers lost for its own silence; one that stays silent afterwards is lost', async () => {
  const registry = new TaskManagerRegistry(silentLogger(), new JobManagerMetrics(new Registry()));
  const lost: string[] = [];
  registry.on('lost', (registration) => lost.push(registration.resourceId));
  const alive = registry.register(registrationRequest('tm-alive', 1, []));
  const dead = registry.register(registrationRequest('tm-dead', 1, []));
  const manager = new HeartbeatManager(registry, { intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS }, silentLogger());
  manager.start({ sessionId: 'session', epoch: 1 } as never);
  try {
    await sleep(150);
    registry.heartbeat(alive.registrationId, []);
    registry.heartbeat(dead.registrationId, []);
    // The JobManager is busy for longer than the timeout; the live TaskManager's heartbeat waits in a
    // socket meanwhile and is read once the loop turns (here: an immediate queued behind the stall).
    setImmediate(() => registry.heartbeat(alive.registrationId, []));
    busyFor(TIMEOUT_MS + 200);
    await sleep(10);
    assert.deepEqual(lost, [], 'the late tick judged nobody');
    // Afterwards the dead one stays silent: it is lost within a timeout, the live one (beating) is not.
    const beats = setInterval(() => registry.heartbeat(alive.registrationId, []), INTERVAL_MS / 2);
    try {
      await sleep(TIMEOUT_MS + 3 * INTERVAL_MS);
    } finally {
      clearInterval(beats);
    }
    assert.deepEqual(lost, ['tm-dead']);
  } finally {
    manager.stop();
  }
});

test('a JobManager that stays overloaded (every tick late) still finds a dead TaskManager', async () => {
  const registry = new TaskManagerRegistry(silentLogger(), new JobManagerMetrics(new Registry()));
  const lost: string[] = [];
  registry.on('lost', (registration) => lost.push(registration.resourceId));
  registry.register(registrationRequest('tm-dead', 1, []));
  const manager = new HeartbeatManager(registry, { intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS }, silentLogger());
  manager.start({ sessionId: 'session', epoch: 1 } as never);
  try {
    const deadline = performance.now() + 3000;
    while (lost.length === 0 && performance.now() < deadline) {
      busyFor(2 * INTERVAL_MS + 50); // every tick comes late
      await sleep(1);
    }
    assert.deepEqual(lost, ['tm-dead']);
  } finally {
    manager.stop();
  }
});
