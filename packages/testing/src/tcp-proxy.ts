import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a server (a TaskManager's data port, an
 * etcd), so a test can break the network the way a killed process or a
 * faulty link would: `cut()` destroys every connection; `holdResponses()`
 * stalls the server → client direction (requests still arrive and are
 * served, their answers wait), and `releaseResponses()` delivers what
 * waited, in order — a client sees timeouts for calls that took effect.
 */
export class TcpProxy {
  /** Connections accepted so far. */
  accepted = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private boundPort = 0;
  private holding = false;
  /** While holding: per client socket, the server's answers not yet delivered. */
  private readonly held = new Map<Socket, Buffer[]>();

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
      upstream.on('data', (chunk: Buffer) => {
        if (!this.holding) {
          client.write(chunk);
          return;
        }
        const waiting = this.held.get(client) ?? [];
        waiting.push(chunk);
        this.held.set(client, waiting);
      });
      client.on('close', () => {
        this.held.delete(client);
        upstream.destroy();
      });
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

  /** From now on the server's answers wait in the proxy (requests still go through). */
  holdResponses(): void {
    this.holding = true;
  }

  /** Delivers every answer that waited, in order, and stops holding. */
  releaseResponses(): void {
    this.holding = false;
    for (const [client, chunks] of this.held) {
      for (const chunk of chunks) client.write(chunk);
    }
    this.held.clear();
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
