import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  freePort,
  runCliJson,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
} from '@rivulet/testing';

interface ClusterJson {
  leader: { rpcAddress: string; sessionId: string | null; epoch: number | null };
  taskmanagers: Array<{ id: string; slotsTotal: number; slotsFree: number }>;
  slotsTotal: number;
  slotsAvailable: number;
}

interface Overview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
}

async function overview(jm: StartedJobManager): Promise<Overview> {
  const response = await fetch(`${jm.restUrl}/overview`);
  return (await response.json()) as Overview;
}

/** Polls /overview every 10 ms until `taskmanagers` equals `count`; returns when. */
async function waitForTaskManagers(jm: StartedJobManager, count: number, timeoutMs: number): Promise<number> {
  await waitFor(async () => (await overview(jm)).taskmanagers === count, {
    timeoutMs,
    intervalMs: 10,
    what: `${count} registered TaskManagers`,
  });
  return Date.now();
}

after(stopAllProcesses);

describe('TaskManager membership', { timeout: 120_000 }, () => {
  test('a JobManager and 2 TaskManagers: `rivulet cluster --output json` shows both with their slots', async () => {
    const jm = await startJobManager();
    const tm1 = await startTaskManager(jm.rpcAddress, { slots: 2, name: 'tm1' });
    const tm2 = await startTaskManager(jm.rpcAddress, { slots: 3, name: 'tm2' });
    await waitForTaskManagers(jm, 2, 10_000);

    const cluster = await runCliJson<ClusterJson>(['cluster', '--jobmanager', jm.rpcAddress]);
    assert.equal(cluster.leader.rpcAddress, jm.rpcAddress);
    assert.ok(cluster.leader.sessionId, 'the leader reports its session id');
    assert.equal(cluster.taskmanagers.length, 2);
    const byId = new Map(cluster.taskmanagers.map((tm) => [tm.id, tm]));
    assert.equal(byId.get(tm1.resourceId)?.slotsTotal, 2);
    assert.equal(byId.get(tm2.resourceId)?.slotsTotal, 3);
    assert.equal(cluster.slotsTotal, 5);
    assert.equal(cluster.slotsAvailable, 5);

    const rest = await overview(jm);
    assert.deepEqual(
      { taskmanagers: rest.taskmanagers, total: rest['slots-total'], available: rest['slots-available'] },
      { taskmanagers: 2, total: 5, available: 5 },
    );
    await stopAllProcesses();
  });

  test('kill -9 of a TaskManager: the JobManager marks it lost within 1 s', async () => {
    const jm = await startJobManager();
    const victim = await startTaskManager(jm.rpcAddress, { name: 'victim' });
    await startTaskManager(jm.rpcAddress, { name: 'survivor' });
    await waitForTaskManagers(jm, 2, 10_000);

    const killedAt = Date.now();
    victim.daemon.signal('SIGKILL');
    const lostAt = await waitForTaskManagers(jm, 1, 5_000);
    const detectionMs = lostAt - killedAt;
    assert.ok(detectionMs < 1000, `lost after ${detectionMs} ms, expected under 1000 ms`);
    const entry = await jm.daemon.waitForLog((e) => e.msg === 'TaskManager no longer registered' && e['resourceId'] === victim.resourceId);
    assert.equal(entry['reason'], 'connection');
    await stopAllProcesses();
  });

  test('a TaskManager frozen with SIGSTOP is lost after heartbeat.timeout, and registers again when resumed', async () => {
    const heartbeat = ['heartbeat.interval=500ms', 'heartbeat.timeout=2s'];
    const jm = await startJobManager({ set: heartbeat });
    const frozen = await startTaskManager(jm.rpcAddress, { name: 'frozen', set: heartbeat });
    await startTaskManager(jm.rpcAddress, { name: 'other', set: heartbeat });
    await waitForTaskManagers(jm, 2, 10_000);

    const stoppedAt = Date.now();
    await frozen.daemon.freeze();
    const lostAt = await waitForTaskManagers(jm, 1, 10_000);
    const elapsed = lostAt - stoppedAt;
    // The last heartbeat came at most one interval (500 ms) before SIGSTOP.
    assert.ok(elapsed >= 1400, `lost after ${elapsed} ms: before heartbeat.timeout could have passed`);
    assert.ok(elapsed <= 3500, `lost after ${elapsed} ms: well past heartbeat.timeout (2000 ms)`);
    const entry = await jm.daemon.waitForLog((e) => e.msg === 'TaskManager no longer registered' && e['resourceId'] === frozen.resourceId);
    assert.equal(entry['reason'], 'heartbeat-timeout');

    frozen.daemon.signal('SIGCONT');
    await waitForTaskManagers(jm, 2, 10_000);
    assert.ok(frozen.daemon.running, 'the resumed TaskManager kept running and registered again');
    await stopAllProcesses();
  });

  test('JobManager killed and restarted on the same port: both TaskManagers re-register without a restart', async () => {
    const rpcPort = await freePort();
    const first = await startJobManager({ rpcPort });
    const tms = [
      await startTaskManager(first.rpcAddress, { name: 'tm-a', slots: 2 }),
      await startTaskManager(first.rpcAddress, { name: 'tm-b', slots: 2 }),
    ];
    await waitForTaskManagers(first, 2, 10_000);
    const pids = tms.map((tm) => tm.daemon.pid);

    first.daemon.signal('SIGKILL');
    await first.daemon.exited;
    const second = await startJobManager({ rpcPort });
    const restartedAt = Date.now();
    const registeredAt = await waitForTaskManagers(second, 2, 15_000);

    assert.deepEqual(tms.map((tm) => tm.daemon.pid), pids);
    assert.ok(tms.every((tm) => tm.daemon.running), 'no TaskManager was restarted');
    const cluster = await runCliJson<ClusterJson>(['cluster', '--jobmanager', second.rpcAddress]);
    assert.deepEqual(cluster.taskmanagers.map((tm) => tm.id).sort(), tms.map((tm) => tm.resourceId).sort());
    assert.equal(cluster.slotsTotal, 4);
    assert.ok(registeredAt - restartedAt < 5000, `re-registered ${registeredAt - restartedAt} ms after the restart`);
    await stopAllProcesses();
  });

  test('SIGTERM on a TaskManager: it tells the JobManager, which removes it at once, and exits 0', async () => {
    const jm = await startJobManager();
    const leaving = await startTaskManager(jm.rpcAddress, { name: 'leaving' });
    await waitForTaskManagers(jm, 1, 10_000);

    leaving.daemon.signal('SIGTERM');
    const { code } = await leaving.daemon.exited;
    assert.equal(code, 0);
    const entry = await jm.daemon.waitForLog((e) => e.msg === 'TaskManager no longer registered' && e['resourceId'] === leaving.resourceId);
    assert.equal(entry['reason'], 'graceful-shutdown');
    assert.equal((await overview(jm)).taskmanagers, 0);

    const jmExit = await jm.daemon.stop();
    assert.equal(jmExit.code, 0, 'the JobManager stops gracefully on SIGTERM');
  });
});
