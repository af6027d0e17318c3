import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy standing between two TaskManagers, so a test can cut
 * their connection the way a killed process or a broken network would.
 */
export class TcpProxy {
  /** Connections accepted so far. */
  accepted = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private boundPort = 0;

  private constructor(targetPort: number) {
    this.server = createServer((client) => {
      this.accepted += 1;
      const upstream = connect({ host: '127.0.0.1', port: targetPort });
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => this.sockets.delete(socket));
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  get port(): number {
    return this.boundPort;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    proxy.boundPort = typeof address === 'object' && address !== null ? address.port : 0;
    return proxy;
  }

  /** Destroys every proxied connection at once (both directions). */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
