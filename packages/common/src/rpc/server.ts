import * as grpc from '@grpc/grpc-js';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { GrpcConnectionGuard } from './connection-guard.js';
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

/** How a gRPC port listens: TLS, and the guard that closes connections that make no calls. */
export interface GrpcListenOptions {
  readonly tls?: GrpcServerTls | undefined;
  readonly guard?: GrpcConnectionGuard | undefined;
}

/** Listeners of servers bound through a connection injector, closed by shutdownServer. */
const listeners = new WeakMap<grpc.Server, { server: TcpServer; guard: GrpcConnectionGuard | undefined }>();

/**
 * Binds a gRPC server; port 0 binds any free port. Resolves with the bound port.
 *
 * With `tls` or a `guard`, Node's own server accepts the connections and
 * hands each to the gRPC server through a connection injector. With `tls`
 * the port speaks TLS only: Node's TLS server does the handshake (it asks
 * the client for a certificate but does not refuse one without, so that the
 * authorization interceptor can decide per method and say why); a call then
 * sees the peer's certificate in `call.getAuthContext()` only if it verified
 * against `material.ca`. The guard (whose interceptor the server must have)
 * sees every accepted connection. With neither, grpc-js binds the port itself.
 */
export function bindServer(server: grpc.Server, host: string, port: number, options: GrpcListenOptions = {}): Promise<number> {
  if (options.tls !== undefined || options.guard !== undefined) return bindThroughInjector(server, host, port, options);
  return new Promise((resolve, reject) => {
    server.bindAsync(hostPort(host, port), grpc.ServerCredentials.createInsecure(), (err, boundPort) => {
      if (err) reject(new Error(`cannot bind gRPC server to ${hostPort(host, port)}: ${err.message}`));
      else resolve(boundPort);
    });
  });
}

function bindThroughInjector(server: grpc.Server, host: string, port: number, options: GrpcListenOptions): Promise<number> {
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const { tls, guard } = options;
  const accept = (socket: Socket): void => {
    guard?.track(socket);
    injector.injectConnection(socket);
  };
  let listener: TcpServer;
  if (tls === undefined) {
    listener = createTcpServer(accept);
  } else {
    const { cert, key, ca } = tls.material;
    listener = createTlsServer({
      cert, key, ca,
      requestCert: true,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
      handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
    }, accept);
    listener.on('tlsClientError', (err, socket) => {
      tls.onHandshakeRefused?.(`${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, err.message);
    });
  }
  listeners.set(server, { server: listener, guard });
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
  const listener = listeners.get(server)?.server;
  if (listener !== undefined && 'setSecureContext' in listener) {
    (listener as import('node:tls').Server).setSecureContext({ cert: material.cert, key: material.key, ca: material.ca });
  }
}

/**
 * A gRPC server. `maxMessageBytes` (pekko.framesize) bounds what it
 * receives: a longer message is refused with RESOURCE_EXHAUSTED as its
 * length prefix arrives, before it is buffered whole.
 */
export function createServer(options: Pick<grpc.ServerOptions, 'interceptors'> & { readonly maxMessageBytes?: number } = {}): grpc.Server {
  const { maxMessageBytes, ...rest } = options;
  return new grpc.Server({
    ...CHANNEL_OPTIONS,
    ...(maxMessageBytes === undefined ? {} : { 'grpc.max_receive_message_length': maxMessageBytes }),
    ...rest,
  });
}

/** Graceful shutdown, forced after `graceMs`. */
export function shutdownServer(server: grpc.Server, graceMs: number): Promise<void> {
  const listener = listeners.get(server);
  listener?.server.close();
  listener?.guard?.stop();
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
