import * as grpc from '@grpc/grpc-js';
import type { Socket } from 'node:net';

interface TrackedConnection {
  readonly socket: Socket;
  inFlight: number;
  calls: number;
  lastActivity: number;
}

/**
 * Bounds what a connection to a gRPC port may cost when it makes no calls.
 * grpc-js keeps an HTTP/2 connection open for as long as the peer likes,
 * even one that sent half a preface and went silent (a slow-drip client).
 * The guard sees every connection the port accepts (`track`) and every call
 * (its interceptor), matched by the peer's address and port:
 *
 * - a connection with no call in progress for `idleTimeoutMs` is closed; a
 *   client's channel reconnects on its next call, so this costs a
 *   well-behaved client a reconnect at most;
 * - a connection that closes, or is closed, without having made one call
 *   (garbage, truncated input, a slow-dripping or silent client, a port
 *   scan) is reported to `onRefused`, as `timeout` when the guard closed it
 *   and `protocol` otherwise.
 *
 * Checks run every half timeout, so an idle connection goes after one to
 * one and a half timeouts. Nothing is done per message.
 */
export class GrpcConnectionGuard {
  private readonly connections = new Map<string, TrackedConnection>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleTimeoutMs: number,
    private readonly onRefused: (peer: string, reason: 'timeout' | 'protocol') => void,
  ) {}

  /** A connection the port accepted (plaintext, or after its TLS handshake). */
  track(socket: Socket): void {
    const peer = peerOf(socket.remoteAddress, socket.remotePort);
    const tracked: TrackedConnection = { socket, inFlight: 0, calls: 0, lastActivity: Date.now() };
    this.connections.set(peer, tracked);
    let closedByGuard = false;
    socket.once('rivulet-guard-close', () => {
      closedByGuard = true;
    });
    socket.once('close', () => {
      if (this.connections.get(peer) === tracked) this.connections.delete(peer);
      if (tracked.calls === 0) this.onRefused(peer, closedByGuard ? 'timeout' : 'protocol');
    });
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.check(), Math.max(100, Math.floor(this.idleTimeoutMs / 2)));
      this.timer.unref();
    }
  }

  /** Counts calls per connection: first in the server's interceptors. */
  interceptor(): grpc.ServerInterceptor {
    return (_method, call) => {
      const tracked = this.connections.get(normalizePeer(call.getPeer()));
      let ended = false;
      const end = (): void => {
        if (ended || tracked === undefined) return;
        ended = true;
        tracked.inFlight -= 1;
        tracked.lastActivity = Date.now();
      };
      return new grpc.ServerInterceptingCall(call, {
        start: (next) => {
          if (tracked !== undefined) {
            tracked.inFlight += 1;
            tracked.calls += 1;
            tracked.lastActivity = Date.now();
          }
          next({ onCancel: end });
        },
        sendStatus: (status, next) => {
          end();
          next(status);
        },
      });
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const now = Date.now();
    for (const tracked of this.connections.values()) {
      if (tracked.inFlight > 0 || now - tracked.lastActivity < this.idleTimeoutMs) continue;
      tracked.socket.emit('rivulet-guard-close');
      closeConnection(tracked.socket);
    }
  }
}

/**
 * Closes an accepted connection that grpc-js serves. Its HTTP/2 session has
 * taken the socket over: destroying the socket alone leaves the connection
 * open, so the session (Node keeps it on the socket under the symbol
 * `session`) is destroyed first.
 */
function closeConnection(socket: Socket): void {
  const key = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'session');
  const session = key === undefined ? undefined : (socket as unknown as Record<symbol, { destroy?: () => void } | undefined>)[key];
  session?.destroy?.();
  socket.destroy();
}

function peerOf(address: string | undefined, port: number | undefined): string {
  return normalizePeer(`${address ?? '?'}:${port ?? 0}`);
}

/** `[::1]:5000`, `::1:5000`, `::ffff:127.0.0.1:5000` and `127.0.0.1:5000` as one form. */
function normalizePeer(peer: string): string {
  return peer.replace(/^\[(.*)\](:\d+)$/, '$1$2').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+:\d+)$/, '$1');
}
