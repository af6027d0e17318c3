import { afterEach, after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  EtcdLeaderElectionService,
  EtcdLeaderRetrievalService,
  RivuletError,
  UnreachableError,
  createLogger,
  findLeader,
  loadConfiguration,
  type Configuration,
  type LeaderAddress,
  type LeaderContender,
  type LeaderSession,
} from '../../src/index.js';
import { startEtcd, type EtcdServer } from './etcd-launcher.js';

/**
 * The etcd leader election and retrieval against a real etcd process (Debian's
 * etcd-server, started on free ports by @rivulet/testing's startEtcd): one
 * leader at a time, growing epochs, hand-over on stop and on SIGKILL, riding
 * out a short etcd outage, stepping down before the lease can expire in a long
 * one. Every wait is bounded; every process is stopped by pid.
 */
// No skipping: scripts/setup.sh installs Debian's etcd-server; without it startEtcd fails, naming the package.

const CHILD_SCRIPT = fileURLToPath(new URL('./campaign-child.js', import.meta.url));

function settingsFor(etcd: { endpoint: string }, clusterId: string, ttlMs: number): Configuration {
  return loadConfiguration({
    flags: {
      'high-availability.type': 'etcd',
      'high-availability.etcd.endpoints': etcd.endpoint,
      'high-availability.cluster-id': clusterId,
      'high-availability.etcd.lease-ttl': ttlMs,
    },
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | false): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

interface Grant {
  readonly who: string;
  readonly session: LeaderSession;
  readonly at: number;
}

/** Leadership events of the in-process contenders of one test, in order; flags two leaders at once. */
class Timeline {
  readonly grants: Grant[] = [];
  readonly revokes: Array<{ who: string; at: number }> = [];
  private readonly leading = new Set<string>();
  overlap: string | undefined;

  contender(who: string): LeaderContender {
    return {
      grantLeadership: (session) => {
        if (this.leading.size > 0) this.overlap = `${who} granted while ${[...this.leading].join(',')} led`;
        this.leading.add(who);
        this.grants.push({ who, session, at: performance.now() });
      },
      revokeLeadership: () => {
        this.leading.delete(who);
        this.revokes.push({ who, at: performance.now() });
      },
    };
  }
}

/** Records what a retrieval service reports. */
class Reports {
  readonly all: Array<LeaderAddress | null> = [];
  readonly listener = (leader: LeaderAddress | null): void => {
    this.all.push(leader);
  };
  get last(): LeaderAddress | null | undefined {
    return this.all[this.all.length - 1];
  }
  waitForSession(session: LeaderSession, rpcAddress: string, timeoutMs: number): Promise<LeaderAddress> {
    return waitFor(`retrieval to report ${rpcAddress} in epoch ${session.epoch}`, timeoutMs, () => {
      const last = this.last;
      return last && last.rpcAddress === rpcAddress && last.sessionId === session.sessionId && last.epoch === session.epoch ? last : undefined;
    });
  }
}

/** A campaigning child process (campaign-child.ts) and the events it printed. */
interface Campaigner {
  readonly child: ChildProcess;
  readonly events: Array<Record<string, unknown>>;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) {
    try {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function spawnCampaigner(endpoint: string, clusterId: string, ttlMs: number): Campaigner {
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  const child = spawn(process.execPath, [CHILD_SCRIPT, endpoint, clusterId, String(ttlMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const events: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => events.push(JSON.parse(line) as Record<string, unknown>));
  return { child, events };
}

async function killByPid(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGKILL');
  await exited;
}

/** A port nothing listens on (bound a moment ago, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe('etcd leader election (real etcd)', { timeout: 60_000 }, () => {
  let etcd: EtcdServer;
  const cleanups: Array<() => Promise<void>> = [];
  const onCleanup = <T extends { stop(): Promise<void> }>(service: T): T => {
    cleanups.push(() => service.stop());
    return service;
  };

  before(async () => {
    etcd = await startEtcd();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    for (const child of [...children]) await killByPid(child);
  });
  after(async () => {
    await etcd?.close();
  });

  test('one of two candidates leads; stop() hands over at once; epochs grow; retrieval follows', async (t) => {
    const settings = settingsFor(etcd, 'handover', 5000);
    const timeline = new Timeline();
    const reports = new Reports();
    const retrieval = onCleanup(new EtcdLeaderRetrievalService(settings, { pollIntervalMs: 500 }));
    await retrieval.start(reports.listener);
    assert.equal(reports.last, null, 'nobody campaigns yet');

    const a = onCleanup(new EtcdLeaderElectionService(settings));
    const b = onCleanup(new EtcdLeaderElectionService(settings));
    await a.start(timeline.contender('a'), { rpcAddress: 'a:6123', restAddress: 'a:8081' });
    await b.start(timeline.contender('b'), { rpcAddress: 'b:6123', restAddress: 'b:8081' });
    const first = await waitFor('a first leader', 5000, () => timeline.grants[0]);
    await sleep(500); // room for a wrong second grant
    assert.equal(timeline.grants.length, 1, 'exactly one leads');
    assert.equal([a, b].filter((s) => s.isLeading()).length, 1);
    const [leader, standby] = first.who === 'a' ? [a, b] : [b, a];
    assert.deepEqual(leader.session, first.session);
    const reported = await reports.waitForSession(first.session, `${first.who}:6123`, 3000);
    assert.equal(reported.restAddress, `${first.who}:8081`);
    assert.deepEqual(await findLeader(settings, 2000), { ...reported });

    const stoppedAt = performance.now();
    await leader.stop();
    const second = await waitFor('the standby to lead', 3000, () => timeline.grants[1]);
    const handoverMs = second.at - stoppedAt;
    t.diagnostic(`hand-over after stop(): ${handoverMs.toFixed(0)} ms`);
    assert.ok(handoverMs < 1000, `standby led ${handoverMs} ms after the leader's stop()`);
    assert.notEqual(second.who, first.who);
    assert.ok(standby.isLeading());
    assert.ok(second.session.epoch > first.session.epoch, 'epochs grow across leaders');
    await reports.waitForSession(second.session, `${second.who}:6123`, 3000);

    // A third leader, after the second stops: epochs keep growing.
    const c = onCleanup(new EtcdLeaderElectionService(settings));
    await c.start(timeline.contender('c'), { rpcAddress: 'c:6123' });
    await sleep(300);
    assert.equal(timeline.grants.length, 2, 'the new candidate stands by');
    await standby.stop();
    const third = await waitFor('the third leader', 3000, () => timeline.grants[2]);
    assert.equal(third.who, 'c');
    assert.ok(third.session.epoch > second.session.epoch);
    await reports.waitForSession(third.session, 'c:6123', 3000);
    await c.stop();
    await waitFor('retrieval to report no leader', 3000, () => reports.last === null);
    assert.equal(timeline.overlap, undefined);
    assert.equal(timeline.revokes.length, 3, 'each leader revoked exactly once');
  });

  test('a leader killed with SIGKILL is replaced within TTL + 1 s', async (t) => {
    const ttlMs = 2000;
    const settings = settingsFor(etcd, 'sigkill', ttlMs);
    const reports = new Reports();
    const retrieval = onCleanup(new EtcdLeaderRetrievalService(settings, { pollIntervalMs: 500 }));
    await retrieval.start(reports.listener);
    const campaigner = spawnCampaigner(etcd.endpoint, 'sigkill', ttlMs);
    const childGrant = await waitFor('the child to lead', 15_000, () => campaigner.events.find((e) => e['event'] === 'granted'));
    const childSession = { sessionId: childGrant['sessionId'], epoch: childGrant['epoch'] } as LeaderSession;
    await reports.waitForSession(childSession, `child:${campaigner.child.pid}`, 3000);

    const timeline = new Timeline();
    const standby = onCleanup(new EtcdLeaderElectionService(settings));
    await standby.start(timeline.contender('standby'), { rpcAddress: 'standby:6123' });
    await sleep(500);
    assert.equal(timeline.grants.length, 0, 'the standby waits while the child leads');

    const killedAt = performance.now();
    await killByPid(campaigner.child);
    const grant = await waitFor('the standby to lead', ttlMs + 3000, () => timeline.grants[0]);
    const takeoverMs = grant.at - killedAt;
    t.diagnostic(`kill -9 of the leader -> standby leads after ${takeoverMs.toFixed(0)} ms (TTL ${ttlMs} ms)`);
    assert.ok(takeoverMs <= ttlMs + 1000, `standby led ${takeoverMs} ms after the kill`);
    assert.ok(grant.session.epoch > childSession.epoch, 'the new epoch fences the killed leader');
    await reports.waitForSession(grant.session, 'standby:6123', 3000);
  });

  test('etcd killed for 1.5 s, less than the 5 s TTL: no leadership change', async (t) => {
    const settings = settingsFor(etcd, 'blip', 5000);
    const timeline = new Timeline();
    const reports = new Reports();
    const a = onCleanup(new EtcdLeaderElectionService(settings));
    const b = onCleanup(new EtcdLeaderElectionService(settings));
    await a.start(timeline.contender('a'), { rpcAddress: 'a:6123' });
    await waitFor('a to lead', 5000, () => timeline.grants[0]);
    await b.start(timeline.contender('b'), { rpcAddress: 'b:6123' });
    const retrieval = onCleanup(new EtcdLeaderRetrievalService(settings, { pollIntervalMs: 500 }));
    await retrieval.start(reports.listener);
    await reports.waitForSession(a.session!, 'a:6123', 3000);
    await sleep(300);

    const killedAt = performance.now();
    await etcd.kill();
    await sleep(1500);
    await etcd.start();
    const outageMs = performance.now() - killedAt;
    // Stay until well past the moment the leader would have stepped down.
    await sleep(a.stepDownAfterMs + 1000 - (performance.now() - killedAt));
    t.diagnostic(`etcd unavailable for ${outageMs.toFixed(0)} ms (kill, 1.5 s, restart until healthy)`);
    assert.deepEqual(timeline.revokes, [], 'nobody stepped down');
    assert.equal(timeline.grants.length, 1, 'nobody else was elected');
    assert.ok(a.isLeading(), 'the leader renews its lease again');
    assert.equal(b.isLeading(), false);
    assert.equal(reports.all.filter((r) => r !== null).length, 1, 'retrieval reported one leader throughout');
    assert.notEqual(reports.last, null);
  });

  test('etcd down longer than the TTL: the leader steps down before its lease can expire, then a leader returns', async (t) => {
    const ttlMs = 3000;
    const settings = settingsFor(etcd, 'outage', ttlMs);
    const timeline = new Timeline();
    const reports = new Reports();
    const lines: string[] = [];
    const logger = createLogger({
      component: 'test',
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
          callback();
        },
      }),
    });
    const a = onCleanup(new EtcdLeaderElectionService(settings, { logger }));
    const b = onCleanup(new EtcdLeaderElectionService(settings));
    await a.start(timeline.contender('a'), { rpcAddress: 'a:6123' });
    const first = await waitFor('a to lead', 5000, () => timeline.grants[0]);
    await b.start(timeline.contender('b'), { rpcAddress: 'b:6123' });
    const retrieval = onCleanup(new EtcdLeaderRetrievalService(settings, { pollIntervalMs: 500 }));
    await retrieval.start(reports.listener);
    await reports.waitForSession(first.session, 'a:6123', 3000);
    await sleep(300);

    const stoppedAt = performance.now();
    await etcd.stop();
    const revoked = await waitFor('the leader to step down', ttlMs + 1000, () => timeline.revokes[0]);
    const loss = a.lastLeadershipLoss;
    assert.ok(loss !== undefined);
    const revokedAfterMs = revoked.at - stoppedAt;
    t.diagnostic(
      `stepped down ${revokedAfterMs.toFixed(0)} ms after etcd stopped, ${loss.leaseSilentMs} ms after the last confirmed renewal ` +
        `(limit ${a.stepDownAfterMs.toFixed(0)} ms, TTL ${ttlMs} ms)`,
    );
    assert.equal(revoked.who, 'a');
    assert.ok(loss.leaseSilentMs < ttlMs, 'revoked before the TTL had passed since the last renewal');
    assert.ok(loss.leaseSilentMs >= a.stepDownAfterMs);
    assert.ok(revokedAfterMs < ttlMs);
    assert.match(loss.reason, /not confirmed renewed/);
    assert.ok(!a.isLeading());
    const logged = lines.map((l) => JSON.parse(l) as { msg?: string; reason?: string }).find((l) => l.msg === 'stepping down: leadership revoked');
    assert.match(logged?.reason ?? '', /not confirmed renewed/, 'the step-down is logged with its reason');

    await sleep(ttlMs + 500 - (performance.now() - stoppedAt)); // down for longer than the TTL
    assert.equal(timeline.grants.length, 1, 'nobody leads while etcd is down');
    await waitFor('retrieval to give up the leader', 2000, () => reports.last === null);
    await etcd.start();
    const backAt = performance.now();
    const next = await waitFor('a leader after etcd is back', ttlMs + 5000, () => timeline.grants[1]);
    t.diagnostic(`etcd down ${(backAt - stoppedAt).toFixed(0)} ms; a leader again ${(next.at - backAt).toFixed(0)} ms after it was back`);
    assert.ok(next.session.epoch > first.session.epoch);
    await reports.waitForSession(next.session, `${next.who}:6123`, 3000);
    await sleep(300);
    assert.equal(timeline.grants.length, 2, 'one leader after the outage');
    assert.equal(timeline.overlap, undefined);
  });

  test('findLeader names the endpoints and the cluster id when nobody leads or etcd is unreachable', async () => {
    const nobody = settingsFor(etcd, 'nobody', 5000);
    await assert.rejects(findLeader(nobody, 500), (err: unknown) => {
      assert.ok(err instanceof RivuletError && err.code === 'CLUSTER', String(err));
      assert.match(err.message, new RegExp(`${etcd.endpoint}.*"nobody"`));
      return true;
    });

    const port = await closedPort();
    const unreachable = settingsFor({ endpoint: `http://127.0.0.1:${port}` }, 'gone', 5000);
    const startedAt = performance.now();
    await assert.rejects(findLeader(unreachable, 500), (err: unknown) => {
      assert.ok(err instanceof UnreachableError, String(err));
      assert.match(err.message, new RegExp(`http://127\\.0\\.0\\.1:${port}.*"gone"`));
      return true;
    });
    assert.ok(performance.now() - startedAt < 3000, 'findLeader keeps to its bound');
  });
});
