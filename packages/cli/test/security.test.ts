import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { BearerToken, CHANNEL_OPTIONS, grpcChannelCredentials, grpcChannelOptions, rivuletProto, type TlsMaterial } from '@rivulet/common';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  createTestPki,
  parsePrometheusText,
  runCli,
  settingsEnvironment,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

/**
 * A cluster with internal mutual TLS and a client token (docs/security.md),
 * real processes on 127.0.0.1, one cluster shared by the tests: what works
 * with the right credentials, and what each wrong one gets — a clear error,
 * nothing submitted or deployed, the refusal counted — and the token
 * nowhere in logs, answers or exception histories.
 */
const FIXTURES = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures');
const COUNT_JOB = join(FIXTURES, 'flaky-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-security-'));
const pki = createTestPki('security');
const foreign = createTestPki('foreign');
const TOKEN = readFileSync(pki.tokenFile, 'utf8').trim();
const common = [`security.auth.token-file=${pki.tokenFile}`, `execution.checkpointing.dir=${join(dir, 'checkpoints')}`];
/** What the CLI needs: the cluster CA to verify the JobManager, and the token. */
const cliEnv = { ...settingsEnvironment(['security.ssl.internal.enabled=true', `security.ssl.internal.ca=${pki.caCert}`]), RIVULET_SECURITY_AUTH_TOKEN: TOKEN };
const read = (path: string): string => readFileSync(path, 'utf8');

let jm: StartedJobManager;
const tms: StartedTaskManager[] = [];
const cliOutputs: string[] = [];

async function cli(args: readonly string[], env: NodeJS.ProcessEnv = cliEnv, timeoutMs = 60_000) {
  const result = await runCli(args, { env, timeoutMs });
  cliOutputs.push(result.stdout, result.stderr);
  return result;
}

async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const families = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
  const family = families.find((f) => f.name === name);
  if (family === undefined) return 0;
  return family.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

const jobCount = async (): Promise<number> => ((await (await fetch(`${jm.restUrl}/jobs`)).json()) as { jobs: unknown[] }).jobs.length;
const slotsTotal = async (): Promise<number> => ((await (await fetch(`${jm.restUrl}/overview`)).json()) as { 'slots-total': number })['slots-total'];

function startTm(name: string, extra: readonly string[] = []): Promise<StartedTaskManager> {
  return startTaskManager(jm.rpcAddress, { slots: 2, name, set: [...pki.internalTlsSettings(name), ...common, `taskmanager.resource-id=${name}`, ...extra] });
}

before(async () => {
  jm = await startJobManager({ set: [...pki.internalTlsSettings('jobmanager'), ...common] });
  tms.push(await startTm('tm-1'), await startTm('tm-2'));
  await waitFor(async () => (await slotsTotal()) === 4, { timeoutMs: 20_000, what: '4 slots registered over mutual TLS' });
});

after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

// About 45 s on an idle machine; the bound leaves room for a loaded one.
describe('a cluster with internal mutual TLS and a client token', { timeout: 150_000 }, () => {
  test('a keyed count across both TaskManagers, through a kill -9 of one, is exactly once', async (t) => {
    const n = 80_000;
    const output = join(dir, 'count', 'out');
    const submitted = await cli([
      'run', COUNT_JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', '--parallelism', '4',
      '--set', 'execution.checkpointing.interval=300ms',
      '--', '--n', String(n), '--keys', '11', '--fail-at', '-1', '--failures', '0', '--markers', join(dir, 'count', 'markers'),
      '--pause-every', '20', '--pause-ms', '2', '--output', output,
    ]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    type Details = { state: string; 'root-exception': string | null; checkpoints: { counts: { completed: number } }; restarts: { numRestarts: number } };
    const details = async (): Promise<Details> => (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as Details;
    await waitFor(async () => {
      const d = await details();
      return d.state === 'RUNNING' && d.checkpoints.counts.completed >= 1 ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the job running with a checkpoint' });
    const victim = tms.splice(1, 1)[0]!;
    victim.daemon.signal('SIGKILL');
    await victim.daemon.exited;
    tms.push(await startTm('tm-3'));
    const end = await waitFor(async () => {
      const d = await details();
      return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job to end' });
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.ok(end.restarts.numRestarts >= 1, 'the job restarted after the kill');
    assertCountsExactlyOnce(output, n, 11);
    t.diagnostic(`restarts: ${end.restarts.numRestarts}`);
  });

  test('the CLI without the token, with a wrong one, in plaintext, or trusting another CA: a clear error, nothing submitted, counted', async () => {
    const jobsBefore = await jobCount();
    const refusedBefore = await metric(jm.restUrl, 'rivulet_jobmanager_security_refused_total');
    const run = ['run', COUNT_JOB, '--jobmanager', jm.rpcAddress, '--detached', '--', '--n', '10', '--keys', '1', '--fail-at', '-1', '--failures', '0', '--markers', join(dir, 'm'), '--output', join(dir, 'never')];
    const cases: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
      ['no token', { ...cliEnv, RIVULET_SECURITY_AUTH_TOKEN: undefined }, /refused the call: SubmitJob needs a client token .*none was sent/],
      ['a wrong token', { ...cliEnv, RIVULET_SECURITY_AUTH_TOKEN: 'wrong-token-0123456789' }, /refused the call: SubmitJob was refused: the client token sent is not valid for this cluster/],
      ['plaintext', { RIVULET_SECURITY_AUTH_TOKEN: TOKEN }, /the port may speak TLS while this side does not/],
      ['another CA', { ...cliEnv, RIVULET_SECURITY_SSL_INTERNAL_CA: foreign.caCert }, /TLS handshake failed: its certificate is not signed by the CA this side trusts/],
    ];
    const [cancel, ...results] = await Promise.all([
      cli(['cancel', 'a'.repeat(32), '--jobmanager', jm.rpcAddress], { ...cliEnv, RIVULET_SECURITY_AUTH_TOKEN: undefined }),
      ...cases.map(([, env]) => cli(run, env)),
    ]);
    cases.forEach(([what, , pattern], i) => {
      const result = results[i]!;
      assert.equal(result.code, 1, `${what}: ${result.stderr}`);
      assert.match(result.stderr, pattern, what);
    });
    assert.match(cancel.stderr, /CancelJob needs a client token/);
    assert.equal(await jobCount(), jobsBefore, 'nothing was submitted');
    await waitFor(async () => (await metric(jm.restUrl, 'rivulet_jobmanager_security_refused_total')) >= refusedBefore + 5 ? true : undefined,
      { timeoutMs: 5000, what: 'the refusals counted' });
    assert.ok(await metric(jm.restUrl, 'rivulet_jobmanager_security_refused_total', { port: 'rpc', reason: 'unauthenticated' }) >= 3);
    assert.ok(await metric(jm.restUrl, 'rivulet_jobmanager_security_refused_total', { port: 'rpc', reason: 'tls' }) >= 1);
  });

  test('a client token at a TaskManager-internal RPC, or at the JobManager\'s registration: refused, nothing deployed', async () => {
    const clientTls: TlsMaterial = { cert: '', key: '', ca: read(pki.caCert) };
    const token = BearerToken.of(TOKEN);
    const tm = tms[0]!;
    const taskManager = new (rivuletProto().TaskManagerService)(`127.0.0.1:${tm.rpcPort}`, grpcChannelCredentials(clientTls), grpcChannelOptions(CHANNEL_OPTIONS, clientTls, token));
    const jobManager = new (rivuletProto().JobManagerService)(jm.rpcAddress, grpcChannelCredentials(clientTls), grpcChannelOptions(CHANNEL_OPTIONS, clientTls, token));
    try {
      const deploy = await new Promise<grpc.ServiceError | null>((resolve) => taskManager.DeployTask({ jobId: 'x', executionAttemptId: 'y', slotIndex: 0, descriptor: Buffer.from('{}') }, (err) => resolve(err)));
      assert.equal(deploy?.code, grpc.status.PERMISSION_DENIED);
      assert.match(deploy.details, /DeployTask is internal to the cluster: it needs a cluster certificate .*a client token does not authorize it/);
      const register = await new Promise<grpc.ServiceError | null>((resolve) => jobManager.RegisterTaskManager({ resourceId: 'intruder', numberOfSlots: 8 }, (err) => resolve(err)));
      assert.equal(register?.code, grpc.status.PERMISSION_DENIED);
    } finally {
      taskManager.close();
      jobManager.close();
    }
    assert.equal(await slotsTotal(), 4, 'no intruder slots');
    assert.ok(await metric(`http://127.0.0.1:${tm.httpPort}`, 'rivulet_taskmanager_security_refused_total', { port: 'rpc', reason: 'forbidden' }) >= 1);
  });

  test('TaskManagers with a certificate of another CA, or an expired one, cannot join', async () => {
    const foreignCert = foreign.certificate('tm-foreign');
    // It starts (its own files agree with each other) but cannot register: the JobManager's certificate is not of its CA.
    const stranger = await startTaskManager(jm.rpcAddress, {
      slots: 2, name: 'tm-foreign',
      set: ['security.ssl.internal.enabled=true', `security.ssl.internal.cert=${foreignCert.cert}`, `security.ssl.internal.key=${foreignCert.key}`, `security.ssl.internal.ca=${foreign.caCert}`, ...common],
    });
    await stranger.daemon.waitForLog((e) => JSON.stringify(e).includes('TLS handshake failed: its certificate is not signed by the CA this side trusts'), 10_000, 'the registration refused by TLS');
    assert.equal(await slotsTotal(), 4, 'no slot of the foreign TaskManager');
    stranger.daemon.signal('SIGKILL');
    await stranger.daemon.exited;
    const expired = pki.expiredCertificate('tm-expired');
    await assert.rejects(
      startTaskManager(jm.rpcAddress, { name: 'tm-expired', set: ['security.ssl.internal.enabled=true', `security.ssl.internal.cert=${expired.cert}`, `security.ssl.internal.key=${expired.key}`, `security.ssl.internal.ca=${pki.caCert}`, ...common] }),
      /"security\.ssl\.internal\.cert": the certificate in .*tm-expired\.crt .* expired on/,
    );
    assert.ok(await metric(jm.restUrl, 'rivulet_jobmanager_security_refused_total', { port: 'rpc', reason: 'tls' }) >= 1);
  });

  test('the data port refuses plaintext, no certificate and another CA\'s, and counts it', async () => {
    const tm = tms[0]!;
    const dataPort = Number(tm.daemon.logs.find((e) => e.msg === 'TaskManager running')?.['dataPort']);
    const tmMetrics = `http://127.0.0.1:${tm.httpPort}`;
    const refused = (): Promise<number> => metric(tmMetrics, 'rivulet_taskmanager_Shuffle_refusedConnections', { reason: 'tls' });
    const before = await refused();
    const closed = (socket: import('node:net').Socket): Promise<void> => new Promise((resolve) => {
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    const plain = connectTcp({ host: '127.0.0.1', port: dataPort });
    plain.on('connect', () => plain.write(Buffer.from([0, 0, 0, 11, 0, 0, 0, 0, 0, 0x52, 0x56, 0x4c, 0x54, 0, 2])));
    await closed(plain);
    const foreignCert = foreign.certificate('data-intruder');
    for (const options of [{ ca: read(pki.caCert) }, { ca: read(pki.caCert), cert: read(foreignCert.cert), key: read(foreignCert.key) }]) {
      const socket = connectTls({ host: '127.0.0.1', port: dataPort, checkServerIdentity: () => undefined, ...options });
      await closed(socket);
    }
    await waitFor(async () => ((await refused()) >= before + 3 ? true : undefined), { timeoutMs: 5000, what: 'three refused data connections counted' });
  });

  test('the token appears in no log, no REST answer, no CLI output and no exception history', async () => {
    const jobs = ((await (await fetch(`${jm.restUrl}/jobs`)).json()) as { jobs: Array<{ id: string }> }).jobs;
    const answers = [await (await fetch(`${jm.restUrl}/overview`)).text(), await (await fetch(`${jm.restUrl}/jobs`)).text()];
    for (const { id } of jobs) {
      for (const path of ['', '/exceptions', '/config', '/checkpoints', '/plan']) answers.push(await (await fetch(`${jm.restUrl}/jobs/${id}${path}`)).text());
    }
    answers.push(await (await fetch(`${jm.restUrl}/metrics`)).text());
    const logs = [jm, ...tms].flatMap((d) => [...d.daemon.logs.map((e) => JSON.stringify(e)), ...d.daemon.stderr]);
    assert.ok(logs.length > 20 && answers.length > 5);
    for (const text of [...answers, ...logs, ...cliOutputs]) assert.ok(!text.includes(TOKEN), `the token leaked: ${text.slice(0, 200)}`);
  });
});
