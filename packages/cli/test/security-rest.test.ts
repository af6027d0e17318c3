import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, grpcChannelCredentials, grpcChannelOptions, rivuletProto } from '@rivulet/common';
import {
  createTestPki,
  parsePrometheusText,
  runCli,
  settingsEnvironment,
  startJobManager,
  stopAllProcesses,
  type StartedJobManager,
} from '@rivulet/testing';

/**
 * The REST port secured (docs/security.md): the client token on writes and,
 * with read-only-endpoints authenticated, on reads; probes and the
 * dashboard's files open; HTTPS with client certificates (Flink's
 * security.ssl.rest.authentication-enabled). JobManagers alone: no
 * TaskManager is needed to be refused.
 */
const pki = createTestPki('rest');
const restCa = createTestPki('rest-clients');
const TOKEN = readFileSync(pki.tokenFile, 'utf8').trim();
let plain: StartedJobManager;
let mutual: StartedJobManager;

before(async () => {
  plain = await startJobManager({ set: [`security.auth.token-file=${pki.tokenFile}`, 'security.auth.read-only-endpoints=authenticated'] });
  const server = pki.certificate('rest-server');
  mutual = await startJobManager({
    set: [
      ...pki.internalTlsSettings('jobmanager'),
      `security.auth.token-file=${pki.tokenFile}`,
      'security.ssl.rest.enabled=true', `security.ssl.rest.cert=${server.cert}`, `security.ssl.rest.key=${server.key}`,
      'security.ssl.rest.authentication-enabled=true', `security.ssl.rest.ca=${restCa.caCert}`,
    ],
  });
});

after(() => stopAllProcesses());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('REST authentication', { timeout: 60_000 }, () => {
  test('reads and writes need the token; probes and the dashboard stay open; refusals say why and are counted', async () => {
    for (const path of ['/jobs', '/overview', '/taskmanagers', '/metrics', '/jobs/overview']) {
      const refused = await fetch(`${plain.restUrl}${path}`);
      assert.equal(refused.status, 401, path);
      assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.match(((await refused.json()) as { errors: string[] }).errors[0]!, new RegExp(`GET ${path.replace('/', '\\/')} needs a client token`));
      assert.equal((await fetch(`${plain.restUrl}${path}`, { headers: bearer(TOKEN) })).status, 200, path);
    }
    for (const path of ['/healthz', '/readyz', '/']) {
      assert.notEqual((await fetch(`${plain.restUrl}${path}`, { headers: { accept: 'text/html' } })).status, 401, path);
    }
    const job = 'a'.repeat(32);
    const cancel = (headers: Record<string, string>) => fetch(`${plain.restUrl}/jobs/${job}?mode=cancel`, { method: 'PATCH', headers });
    assert.equal((await cancel({})).status, 401);
    const wrong = await cancel(bearer('not-the-token-0123456789'));
    assert.equal(wrong.status, 401);
    assert.match(((await wrong.json()) as { errors: string[] }).errors[0]!, /PATCH \/jobs\/:id was refused: the client token sent is not valid/);
    assert.equal((await fetch(`${plain.restUrl}/jobs/${job}/savepoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 401);
    assert.equal((await cancel(bearer(TOKEN))).status, 404, 'with the token the request reaches its route (no such job)');
    const metrics = parsePrometheusText(await (await fetch(`${plain.restUrl}/metrics`, { headers: bearer(TOKEN) })).text());
    const refusals = metrics.find((f) => f.name === 'rivulet_jobmanager_security_refused_total')?.metrics
      .filter((m) => m.labels?.['port'] === 'rest').reduce((sum, m) => sum + Number(m.value), 0);
    assert.ok((refusals ?? 0) >= 8, `REST refusals counted: ${refusals}`);
  });

  test('HTTPS with client certificates: a certificate of the REST CA authenticates; none, another CA\'s or plaintext are refused', async () => {
    assert.match(mutual.restUrl, /^https:\/\//);
    const url = new URL(mutual.restUrl);
    const call = (method: string, path: string, tls: { cert?: string; key?: string }): Promise<number> => new Promise((resolve, reject) => {
      const req = httpsRequest({ host: url.hostname, port: url.port, method, path, ca: readFileSync(pki.caCert), ...tls, checkServerIdentity: () => undefined }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    const client = restCa.certificate('operator');
    const identity = { cert: readFileSync(client.cert, 'utf8'), key: readFileSync(client.key, 'utf8') };
    assert.equal(await call('PATCH', `/jobs/${'b'.repeat(32)}?mode=cancel`, identity), 404, 'authenticated by the certificate, no token needed');
    assert.equal(await call('GET', '/overview', identity), 200);
    const stranger = pki.certificate('internal-node');
    await assert.rejects(call('GET', '/overview', {}), /certificate required|alert|socket hang up|ECONNRESET/i);
    await assert.rejects(call('GET', '/overview', { cert: readFileSync(stranger.cert, 'utf8'), key: readFileSync(stranger.key, 'utf8') }), /unknown ca|alert|ECONNRESET|socket hang up/i);
    await assert.rejects(fetch(`http://${url.host}/overview`));
  });

  test('the CLI with a REST client certificate instead of the token: client calls pass on the gRPC port, internal calls do not', async () => {
    const operator = restCa.certificate('cli-operator');
    const trust = settingsEnvironment(['security.ssl.internal.enabled=true', `security.ssl.internal.ca=${pki.caCert}`]);
    const withCertificate = { ...trust, ...settingsEnvironment([`security.ssl.rest.cert=${operator.cert}`, `security.ssl.rest.key=${operator.key}`]) };
    const cancel = ['cancel', 'c'.repeat(32), '--jobmanager', mutual.rpcAddress];
    const [refused, authenticated] = await Promise.all([runCli(cancel, { env: trust }), runCli(cancel, { env: withCertificate })]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /CancelJob needs a client token/);
    assert.equal(authenticated.code, 1, 'the job does not exist');
    assert.doesNotMatch(authenticated.stderr, /refused the call/, 'the certificate authenticated the call');
    assert.match(authenticated.stderr, /c{32}/);
    const identity = { cert: readFileSync(operator.cert, 'utf8'), key: readFileSync(operator.key, 'utf8'), ca: readFileSync(pki.caCert, 'utf8') };
    const client = new (rivuletProto().JobManagerService)(mutual.rpcAddress, grpcChannelCredentials(identity), grpcChannelOptions(CHANNEL_OPTIONS, identity));
    try {
      const register = await new Promise<grpc.ServiceError | null>((resolve) => client.RegisterTaskManager({ resourceId: 'intruder', numberOfSlots: 8 }, (err) => resolve(err)));
      assert.equal(register?.code, grpc.status.PERMISSION_DENIED);
      assert.match(register.details, /a client certificate does not authorize it/);
    } finally {
      client.close();
    }
  });
});
