import { connect as connectTcp, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { connect as connectTls, createServer as createTlsServer } from 'node:tls';
import type { TlsMaterial } from '@rivulet/common/task-runtime';

/**
 * Sockets of the data exchange, plaintext or mutual TLS (internal TLS,
 * docs/security.md). With TLS both ends present their certificate and
 * verify the other's against the cluster CA; host names are not checked
 * (as gRPC's internal TLS, and Flink's). Without TLS these are the plain
 * `net` calls of before: the plaintext path costs nothing more.
 */

/** The SNI name a data client asks for (never checked: see above). */
const DATA_TLS_SERVER_NAME = 'rivulet-internal';

export interface DataServerSocketOptions {
  readonly highWaterMark: number;
  readonly tls: TlsMaterial | undefined;
  /** Bound on a TLS handshake. */
  readonly handshakeTimeoutMs: number;
  /** A connection refused during its TLS handshake (no, or an untrusted, certificate; plaintext; too slow). */
  readonly onHandshakeRefused: (peer: string, reason: string) => void;
}

/** A listening-ready server handing each accepted (for TLS: authenticated) socket to `accept`. */
export function createDataSocketServer(options: DataServerSocketOptions, accept: (socket: Socket) => void): Server {
  if (options.tls === undefined) return createTcpServer({ highWaterMark: options.highWaterMark }, accept);
  const { cert, key, ca } = options.tls;
  const server = createTlsServer({
    highWaterMark: options.highWaterMark,
    cert, key, ca,
    requestCert: true,
    rejectUnauthorized: true,
    handshakeTimeout: options.handshakeTimeoutMs,
  }, accept);
  server.on('tlsClientError', (err, socket) => {
    options.onHandshakeRefused(`${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`, err.message);
  });
  return server;
}

/** Opens a data connection; `connected` names the event after which the socket carries frames end to end. */
export function connectDataSocket(host: string, port: number, tls: TlsMaterial | undefined): { socket: Socket; connected: 'connect' | 'secureConnect' } {
  if (tls === undefined) return { socket: connectTcp({ host, port }), connected: 'connect' };
  const socket = connectTls({
    host, port,
    cert: tls.cert, key: tls.key, ca: tls.ca,
    servername: DATA_TLS_SERVER_NAME,
    checkServerIdentity: () => undefined,
  });
  return { socket, connected: 'secureConnect' };
}
