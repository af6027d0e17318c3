import * as grpc from '@grpc/grpc-js';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { TlsMaterial } from '../security/tls-material.js';
import { hostPort } from './calls.js';
import { CHANNEL_OPTIONS } from './proto.js';

/** TLS of a gRPC port: the material, and what to do with a connection refused during its handshake. */
export interface GrpcServerTls {
  readonly material: TlsMaterial;
  /** A TLS handshake failed (a plaintext client, a client that did not trust our certificate, a timeout). */
  readonly onHandshakeRefused?: (peer: string, reason: string) => void;
}

/** Bound on a TLS handshake: a client that opens a connection and sends nothing is dropped after it. */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** TLS listeners of servers bound with TLS, closed by shutdownServer. */
const tlsListeners = new WeakMap<grpc.Server, TlsServer>();

/**
 * Binds a gRPC server; port 0 binds any free port. Resolves with the bound port.
 *
 * With `tls`, the port speaks TLS only: Node's TLS server does the handshake
 * (it asks the client for a certificate but does not refuse one without, so
 * that the authorization interceptor can decide per method and say why),
 * and each secured connection is handed to the gRPC server through a
 * connection injector. A call then sees the peer's certificate in
 * `call.getAuthContext()` only if it verified against `material.ca`.
 * Without `tls` the port is plaintext, exactly as before.
 */
export function bindServer(server: grpc.Server, host: string, port: number, tls?: GrpcServerTls): Promise<number> {
  if (tls !== undefined) return bindTlsServer(server, host, port, tls);
  return new Promise((resolve, reject) => {
    server.bindAsync(hostPort(host, port), grpc.ServerCredentials.createInsecure(), (err, boundPort) => {
      if (err) reject(new Error(`cannot bind gRPC server to ${hostPort(host, port)}: ${err.message}`));
      else resolve(boundPort);
    });
  });
}

function bindTlsServer(server: grpc.Server, host: string, port: number, tls: GrpcServerTls): Promise<number> {
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const { cert, key, ca } = tls.material;
  const listener = createTlsServer({
    cert, key, ca,
    requestCert: true,
    rejectUnauthorized: false,
    ALPNProtocols: ['h2'],
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
  }, (socket) => injector.injectConnection(socket));
  listener.on('tlsClientError', (err, socket) => {
    tls.onHandshakeRefused?.(`${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, err.message);
  });
  tlsListeners.set(server, listener);
  return new Promise((resolve, reject) => {
    listener.once('error', (err) => reject(new Error(`cannot bind gRPC server to ${hostPort(host, port)}: ${err.message}`)));
    listener.listen(port, host, () => {
      const address = listener.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** New certificate material for a server bound with TLS (rotation): new connections use it. */
export function updateServerTls(server: grpc.Server, material: TlsMaterial): void {
  tlsListeners.get(server)?.setSecureContext({ cert: material.cert, key: material.key, ca: material.ca });
}

export function createServer(options: Pick<grpc.ServerOptions, 'interceptors'> = {}): grpc.Server {
  return new grpc.Server({ ...CHANNEL_OPTIONS, ...options });
}

/** Graceful shutdown, forced after `graceMs`. */
export function shutdownServer(server: grpc.Server, graceMs: number): Promise<void> {
  tlsListeners.get(server)?.close();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
