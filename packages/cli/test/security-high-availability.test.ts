import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  createTestPki,
  runCli,
  settingsEnvironment,
  startEtcd,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedEtcd,
} from '@rivulet/testing';

/**
 * High availability with everything secured: etcd serves clients over TLS
 * and requires their certificates (the cluster CA), the JobManagers and
 * TaskManagers talk mutual TLS, and the CLI sends the token. A kill -9 of
 * the leading JobManager: the standby leads, adopts the running job and the
 * output is exactly once.
 */
const COUNT_JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'flaky-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-security-ha-'));
const pki = createTestPki('ha');
const TOKEN = readFileSync(pki.tokenFile, 'utf8').trim();
let etcd: StartedEtcd | undefined;

before(async () => {
  const etcdCert = pki.certificate('etcd');
  etcd = await startEtcd({ tls: { cert: etcdCert.cert, key: etcdCert.key, ca: pki.caCert } });
});

after(async () => {
  await stopAllProcesses();
  await etcd?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface JobDetails {
  state: string;
  'root-exception': string | null;
  restarts: { numRestarts: number };
  vertices: { subtasks: { state: string; attempt: string }[] }[];
  checkpoints: { counts: { completed: number }; latest: { completed: { id: number } | null } };
}

// About 55 s on an idle machine; the bound leaves room for a loaded one.
describe('high availability with etcd over TLS, internal mutual TLS and a client token', { timeout: 150_000 }, () => {
  test('kill -9 of the leading JobManager while a job runs: the standby adopts it, exactly once', async (t) => {
    assert.match(etcd!.endpoint, /^https:\/\//);
    const ha = [
      'high-availability.type=etcd',
      `high-availability.etcd.endpoints=${etcd!.endpoint}`,
      `high-availability.cluster-id=secure-${randomUUID().slice(0, 8)}`,
      'high-availability.etcd.lease-ttl=2000ms',
      `execution.checkpointing.dir=${join(dir, 'checkpoints')}`,
      `security.auth.token-file=${pki.tokenFile}`,
    ];
    const jms = [
      await startJobManager({ set: [...ha, ...pki.internalTlsSettings('jobmanager-1')] }),
      await startJobManager({ set: [...ha, ...pki.internalTlsSettings('jobmanager-2')] }),
    ];
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-1', set: [...ha, ...pki.internalTlsSettings('tm-1')] });
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-2', set: [...ha, ...pki.internalTlsSettings('tm-2')] });
    // An operator's CLI: finds the leader in etcd (which wants a certificate of the cluster CA) and sends the token.
    const env = { ...settingsEnvironment([...ha.slice(0, 4), ...pki.internalTlsSettings('operator')]), RIVULET_SECURITY_AUTH_TOKEN: TOKEN };
    const cli = async <T>(args: string[]): Promise<T> => {
      const result = await runCli([...args, '--output', 'json'], { env, timeoutMs: 30_000 });
      if (result.code !== 0) throw new Error(`rivulet ${args.join(' ')}: ${result.stderr}`);
      return JSON.parse(result.stdout) as T;
    };
    const leaderOf = async () => (await cli<{ leader: { rpcAddress: string }; taskmanagers: unknown[] }>(['cluster']));
    await waitFor(async () => ((await leaderOf().catch(() => undefined))?.taskmanagers.length === 2 ? true : undefined), { timeoutMs: 30_000, what: 'both TaskManagers registered with the leader' });
    const n = 150_000;
    const output = join(dir, 'out');
    const submitted = await runCli([
      'run', COUNT_JOB, '--detached', '--output', 'json', '--parallelism', '2',
      '--set', 'execution.checkpointing.interval=500ms',
      '--', '--n', String(n), '--keys', '11', '--fail-at', '-1', '--failures', '0', '--markers', join(dir, 'markers'),
      '--pause-every', '20', '--pause-ms', '2', '--output', output,
    ], { env, timeoutMs: 60_000 });
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    const before = await waitFor(async () => {
      const d = await cli<JobDetails>(['status', jobId]);
      return d.state === 'RUNNING' && d.checkpoints.counts.completed >= 1 && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING')) ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the job running with a checkpoint' });
    const leaderAddress = (await leaderOf()).leader.rpcAddress;
    const leader = jms.find((jm) => jm.rpcAddress === leaderAddress)!;
    const killedAt = Date.now();
    leader.daemon.signal('SIGKILL');
    await waitFor(async () => {
      const d = await cli<JobDetails>(['status', jobId]).catch(() => undefined);
      return d && d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING')) ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the job running under the new leader' });
    t.diagnostic(`kill -9 of the leader -> the job shown running by the new leader after ${Date.now() - killedAt} ms`);
    assert.notEqual((await leaderOf()).leader.rpcAddress, leaderAddress);
    const end = await waitFor(async () => {
      const d = await cli<JobDetails>(['status', jobId]);
      return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job to end' });
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assertCountsExactlyOnce(output, n, 11);
    assert.ok((before.checkpoints.latest.completed?.id ?? 0) >= 1);
  });
});
