import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  AuthenticationError,
  BearerToken,
  CHANNEL_OPTIONS,
  RivuletError,
  bindServer,
  callUnary,
  createServer,
  grpcAuthorizationInterceptor,
  grpcChannelCredentials,
  grpcChannelOptions,
  rivuletProto,
  shutdownServer,
  unaryHandler,
  type Refusal,
  type TlsMaterial,
  type pb,
} from '../../src/index.js';
import { makePki } from './pki.js';

/**
 * The JobManager's gRPC port as it is secured, in process: TLS through the
 * connection injector, the authorization interceptor, real sockets on
 * 127.0.0.1. Each case says what a caller presents and what it gets; a
 * refused call never reaches its handler.
 */
const pki = makePki('grpc');
const other = makePki('grpc-other');
const SECRET = 'abcdef0123456789abcdef';
const read = (path: string): string => readFileSync(path, 'utf8');
const material = (cert: { cert: string; key: string } | undefined, ca: string): TlsMaterial =>
  ({ cert: cert === undefined ? '' : read(cert.cert), key: cert === undefined ? '' : read(cert.key), ca: read(ca) });

let server: grpc.Server;
let address: string;
const handled: string[] = [];
const refusals: Array<{ method: string; refusal: Refusal }> = [];
const handshakeRefusals: string[] = [];
const clients: grpc.Client[] = [];

before(async () => {
  server = createServer({
    interceptors: [grpcAuthorizationInterceptor({
      settings: { internalTls: true, token: BearerToken.of(SECRET), readOnly: 'open' },
      surfaces: { RegisterTaskManager: 'internal', SubmitJob: 'client-write', ClusterOverview: 'client-read' },
      onRefused: (method, refusal) => refusals.push({ method, refusal }),
    })],
  });
  const answer = (name: string) => unaryHandler(() => {
    handled.push(name);
    return {};
  });
  server.addService(rivuletProto().JobManagerService.service, {
    RegisterTaskManager: answer('RegisterTaskManager'),
    SubmitJob: answer('SubmitJob'),
    ClusterOverview: answer('ClusterOverview'),
  } as unknown as grpc.UntypedServiceImplementation);
  const port = await bindServer(server, '127.0.0.1', 0, {
    tls: {
      material: material(pki.cert('jobmanager'), pki.ca),
      onHandshakeRefused: (_peer, reason) => handshakeRefusals.push(reason),
    },
  });
  address = `127.0.0.1:${port}`;
});

after(async () => {
  for (const client of clients) client.close();
  await shutdownServer(server, 1000);
});

function client(tls: TlsMaterial | undefined, token?: string): pb.JobManagerServiceClient {
  const c = new (rivuletProto().JobManagerService)(address, grpcChannelCredentials(tls), grpcChannelOptions(CHANNEL_OPTIONS, tls, token === undefined ? undefined : BearerToken.of(token)));
  clients.push(c);
  return c;
}

const call = (c: pb.JobManagerServiceClient, method: 'RegisterTaskManager' | 'SubmitJob' | 'ClusterOverview') =>
  callUnary(c, method, {} as never, { timeoutMs: 3000, target: `JobManager at ${address}` });

async function refused(promise: Promise<unknown>, type: new (...args: never[]) => RivuletError, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof type, `${String(err)} is a ${type.name}`);
    assert.match((err as Error).message, pattern);
    assert.ok(!(err as Error).message.includes(SECRET), 'the message never holds the token');
    return true;
  });
}

/** The server sees a failed handshake a moment after the client gave up. */
async function counted(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check() && waited < 3000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(check(), what);
}

describe('a gRPC port with internal TLS and a client token', () => {
  test('a daemon with a cluster certificate makes internal calls, and is no client', async () => {
    const daemon = client(material(pki.cert('taskmanager'), pki.ca));
    await call(daemon, 'RegisterTaskManager');
    assert.deepEqual(handled, ['RegisterTaskManager']);
    await refused(call(daemon, 'SubmitJob'), AuthenticationError, /SubmitJob needs a client token.*a cluster certificate does not authorize client calls/);
    assert.deepEqual(handled, ['RegisterTaskManager'], 'the refused call never ran');
  });

  test('a client with the token (TLS, no certificate) submits and reads, and may not make internal calls', async () => {
    handled.length = 0;
    const cli = client(material(undefined, pki.ca), SECRET);
    await call(cli, 'SubmitJob');
    await call(cli, 'ClusterOverview');
    await refused(call(cli, 'RegisterTaskManager'), AuthenticationError, /RegisterTaskManager is internal to the cluster.*a client token does not authorize it/);
    assert.deepEqual(handled, ['SubmitJob', 'ClusterOverview']);
    assert.equal(refusals.at(-1)?.refusal.kind, 'forbidden');
  });

  test('no token, or a wrong one: refused, nothing submitted, the refusal counted', async () => {
    handled.length = 0;
    const before = refusals.length;
    await refused(call(client(material(undefined, pki.ca)), 'SubmitJob'), AuthenticationError, /needs a client token .*none was sent/);
    await refused(call(client(material(undefined, pki.ca), 'x'.repeat(20)), 'SubmitJob'), AuthenticationError, /not valid for this cluster/);
    assert.deepEqual(handled, []);
    assert.equal(refusals.length, before + 2);
  });

  test('a certificate of another CA, or an expired one: internal calls refused, saying why', async () => {
    handled.length = 0;
    await refused(call(client(material(other.cert('stranger'), pki.ca)), 'RegisterTaskManager'), AuthenticationError, /certificate presented was refused: not signed by a trusted CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
    await refused(call(client(material(pki.expired('old-taskmanager'), pki.ca)), 'RegisterTaskManager'), AuthenticationError, /certificate presented was refused: certificate has expired \(CERT_HAS_EXPIRED\)/);
    assert.deepEqual(handled, []);
  });

  test('a client that trusts another CA does not talk to this server (the other direction)', async () => {
    const before = handshakeRefusals.length;
    await refused(call(client(material(pki.cert('taskmanager'), other.ca)), 'ClusterOverview'), RivuletError, /TLS handshake failed: its certificate is not signed by the CA this side trusts/);
    await counted(() => handshakeRefusals.length > before, 'the server counted the failed handshake');
  });

  test('a plaintext client at the TLS port: a clear error, the refusal counted', async () => {
    const before = handshakeRefusals.length;
    await refused(call(client(undefined, SECRET), 'ClusterOverview'), RivuletError, /may speak TLS while this side does not/);
    await counted(() => handshakeRefusals.length > before, 'the server counted the failed handshake');
    assert.match(handshakeRefusals.at(-1) ?? '', /wrong version number|http request|unknown protocol/i);
  });
});
