import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  etcdBinary,
  runCli,
  runCliJson,
  startEtcd,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedEtcd,
  type StartedJobManager,
} from '@rivulet/testing';

interface Cluster {
  leader: { rpcAddress: string; sessionId: string | null; epoch: number | null };
  standbys: string[];
  taskmanagers: { id: string }[];
}

const TTL_MS = 2000;
let etcd: StartedEtcd | undefined;
let settings: string[] = [];

before(async () => {
  if (etcdBinary() === undefined) return;
  etcd = await startEtcd();
  settings = [
    'high-availability.type=etcd',
    `high-availability.etcd.endpoints=${etcd.endpoint}`,
    `high-availability.cluster-id=test-${randomUUID().slice(0, 8)}`,
    `high-availability.etcd.lease-ttl=${TTL_MS}ms`,
  ];
});
after(async () => {
  await stopAllProcesses();
  await etcd?.close();
});

/** `rivulet cluster` without --jobmanager: the CLI finds the leader through etcd. */
const cluster = (): Promise<Cluster> => runCliJson<Cluster>(['cluster', ...settings.flatMap((s) => ['-D', s])]);

describe('JobManager high availability through etcd (a real etcd server)', { timeout: 120_000 }, () => {
  test('two JobManagers: one leads, one stands by; kill -9 of the leader: the standby leads within TTL + 1 s, TaskManagers and the CLI follow', async (t) => {
    if (!etcd) return t.skip('etcd is not installed (scripts/setup.sh installs Debian\'s etcd-server)');
    const jms: StartedJobManager[] = [await startJobManager({ set: settings }), await startJobManager({ set: settings })];
    // TaskManagers find the leader in etcd; the --jobmanager they are given is not used.
    await startTaskManager('127.0.0.1:1', { slots: 1, name: 'tm-ha-1', set: settings });
    await startTaskManager('127.0.0.1:1', { slots: 1, name: 'tm-ha-2', set: settings });
    const first = await waitFor(async () => {
      const c = await cluster().catch(() => undefined);
      return c && c.taskmanagers.length === 2 && c.standbys.length === 1 ? c : undefined;
    }, { timeoutMs: 30_000, what: 'a leader with a standby and both TaskManagers' });
    const leader = jms.find((jm) => jm.rpcAddress === first.leader.rpcAddress);
    const standby = jms.find((jm) => jm !== leader)!;
    assert.ok(leader, `the leader ${first.leader.rpcAddress} is one of ours`);
    assert.deepEqual(first.standbys, [standby.rpcAddress]);
    assert.ok(first.leader.sessionId && first.leader.epoch, 'the leader session id and epoch are shown');
    assert.equal((await fetch(`${leader.restUrl}/readyz`)).status, 200);
    assert.equal((await fetch(`${standby.restUrl}/readyz`)).status, 503, 'a standby is live but not ready');
    const text = await runCli(['cluster', ...settings.flatMap((s) => ['-D', s])]);
    assert.match(text.stdout, new RegExp(`Standbys\\s+${standby.rpcAddress.replace(/\./g, '\\.')}`));

    const killedAt = Date.now();
    leader.daemon.signal('SIGKILL');
    await leader.daemon.exited;
    const next = await waitFor(async () => {
      const c = await cluster().catch(() => undefined);
      return c && c.leader.rpcAddress === standby.rpcAddress ? { c, at: Date.now() } : undefined;
    }, { timeoutMs: 15_000, what: 'the standby to lead', intervalMs: 50 });
    const takeover = next.at - killedAt;
    t.diagnostic(`kill -9 of the leader -> the standby serves as leader after ${takeover} ms (lease TTL ${TTL_MS} ms)`);
    assert.ok(takeover <= TTL_MS + 1000 + 1500, `took over in ${takeover} ms (TTL ${TTL_MS} ms + 1 s, + the CLI's own start-up)`);
    assert.ok(next.c.leader.epoch! > first.leader.epoch!, 'the new session\'s epoch is newer');
    assert.notEqual(next.c.leader.sessionId, first.leader.sessionId);
    await waitFor(async () => ((await cluster()).taskmanagers.length === 2 ? true : undefined), { timeoutMs: 15_000, what: 'both TaskManagers registered with the new leader' });
    assert.equal((await fetch(`${standby.restUrl}/readyz`)).status, 200, 'the new leader is ready');
  });
});
