import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authorizeCall, BearerToken, type AuthorizationSettings, type CallCredentials } from '../../src/index.js';

const SECRET = 'abcdef0123456789abcdef';
const token = BearerToken.of(SECRET);
const secured: AuthorizationSettings = { internalTls: true, token, readOnly: 'open' };
const nothing: CallCredentials = { clusterCertificate: false, authorization: undefined };
const clusterCert: CallCredentials = { clusterCertificate: true, authorization: undefined };
const clientToken: CallCredentials = { clusterCertificate: false, authorization: `Bearer ${SECRET}` };

describe('authorizeCall: one rule set for gRPC and REST', () => {
  test('internal calls: a cluster certificate, never a client token', () => {
    assert.equal(authorizeCall('RegisterTaskManager', 'internal', clusterCert, secured), undefined);
    assert.equal(authorizeCall('DeployTask', 'internal', clientToken, secured)?.kind, 'forbidden');
    assert.match(authorizeCall('DeployTask', 'internal', clientToken, secured)!.message, /internal to the cluster.*a client token does not authorize it/);
    assert.match(authorizeCall('DeployTask', 'internal', nothing, secured)!.message, /needs a certificate signed by the cluster CA.*none was presented/);
    assert.match(authorizeCall('Heartbeat', 'internal', { ...nothing, rejectedCertificate: 'certificate has expired' }, secured)!.message, /certificate presented was refused: certificate has expired/);
    assert.equal(authorizeCall('DeployTask', 'internal', nothing, { ...secured, internalTls: false }), undefined, 'plaintext clusters keep internal calls open');
  });

  test('client writes: the token, never a cluster certificate', () => {
    assert.equal(authorizeCall('SubmitJob', 'client-write', clientToken, secured), undefined);
    assert.equal(authorizeCall('SubmitJob', 'client-write', { ...nothing, clientCertificate: true }, secured), undefined, 'a REST client certificate authenticates');
    assert.match(authorizeCall('SubmitJob', 'client-write', clusterCert, secured)!.message, /needs a client token.*a cluster certificate does not authorize client calls/);
    assert.match(authorizeCall('CancelJob', 'client-write', { ...nothing, authorization: 'Bearer wrong-wrong-wrong-wrong' }, secured)!.message, /not valid for this cluster/);
    assert.equal(authorizeCall('SubmitJob', 'client-write', nothing, { ...secured, token: undefined }), undefined, 'no token configured: open');
  });

  test('reads: open or authenticated; probes always open', () => {
    assert.equal(authorizeCall('ListJobs', 'client-read', nothing, secured), undefined);
    assert.equal(authorizeCall('ListJobs', 'client-read', nothing, { ...secured, readOnly: 'authenticated' })?.kind, 'unauthenticated');
    assert.equal(authorizeCall('ListJobs', 'client-read', clientToken, { ...secured, readOnly: 'authenticated' }), undefined);
    assert.equal(authorizeCall('GET /healthz', 'open', nothing, { ...secured, readOnly: 'authenticated' }), undefined);
  });

  test('no refusal message holds the token', () => {
    for (const surface of ['internal', 'client-write', 'client-read'] as const) {
      for (const authorization of [`Bearer ${SECRET}`, `Bearer ${SECRET}0`]) {
        const refusal = authorizeCall('X', surface, { clusterCertificate: false, authorization }, { ...secured, readOnly: 'authenticated' });
        assert.ok(!(refusal?.message ?? '').includes(SECRET));
      }
    }
  });
});
