import type { Server, Socket } from 'node:net';
import { createDataSocketServer } from './data-sockets.js';
import { IllegalStateError } from '@rivulet/common/task-runtime';
import { ServerConnection, type ServerConnectionDeps } from './server-connection.js';

/**
 * The TaskManager's data port: accepts connections from consumers'
 * TaskManagers. A failing connection (bad frames, reset) closes alone; the
 * server keeps accepting.
 */
export class DataServer {
  private server: Server | undefined;
  private stallCheck: NodeJS.Timeout | undefined;
  private readonly connections = new Set<ServerConnection>();
  private accepted = 0;

  constructor(private readonly deps: Omit<ServerConnectionDeps, 'closed' | 'writeHighWaterMark'>) {}

  get openConnections(): number {
    return this.connections.size;
  }

  get acceptedTotal(): number {
    return this.accepted;
  }

  get socketBufferedBytes(): number {
    let total = 0;
    for (const connection of this.connections) total += connection.socketBufferedBytes;
    return total;
  }

  /** Binds and resolves with the bound port (0 = any free port). */
  listen(host: string, port: number): Promise<number> {
    if (this.server !== undefined) return Promise.reject(new IllegalStateError('the data server is already started'));
    // A socket buffer of a few buffers lets the pump write several frames per turn of the event loop.
    const highWaterMark = 4 * this.deps.options.bufferSizeBytes;
    const { options } = this.deps;
    const server = createDataSocketServer({
      highWaterMark,
      tls: options.tls,
      handshakeTimeoutMs: options.connectTimeoutMs,
      onHandshakeRefused: (peer, reason) => {
        this.deps.counters.refusedTls += 1;
        options.log.warn({ peer, err: reason }, `TLS data connection from ${peer} refused`);
      },
    }, (socket) => this.accept(socket));
    this.server = server;
    const frameTimeoutMs = options.frameTimeoutMs;
    this.stallCheck = setInterval(() => {
      for (const connection of this.connections) connection.checkStalled(frameTimeoutMs);
    }, frameTimeoutMs);
    this.stallCheck.unref();
    return new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.deps.options.log.error({ err: err.message }, 'Data server error'));
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /** Stops accepting and closes every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    clearInterval(this.stallCheck);
    for (const connection of [...this.connections]) connection.close();
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.accepted += 1;
    const connection = new ServerConnection(socket, {
      ...this.deps,
      writeHighWaterMark: 4 * this.deps.options.bufferSizeBytes,
      closed: (c) => this.connections.delete(c),
    });
    this.connections.add(connection);
    this.deps.options.log.debug({ peer: connection.peer }, 'Data connection accepted');
  }
}
