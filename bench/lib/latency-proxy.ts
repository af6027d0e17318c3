/**
 * A loopback TCP proxy that holds every client -> server chunk for `delayMs`
 * before passing it on (answers go straight back): each request reaches the
 * server `delayMs` late, as if the server were a round trip of `delayMs`
 * away, while the bandwidth of the answers stays what it was. bench/restore
 * puts it in front of s3rver to model a remote object store's latency per
 * request; the raw baseline and the restore then go through the same proxy.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class LatencyProxy {
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  private constructor(private readonly server: Server) {}

  get port(): number {
    return this.boundPort;
  }

  static async start(targetPort: number, delayMs: number): Promise<LatencyProxy> {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`latency proxy: delay must be >= 0 ms, got ${delayMs}`);
    let proxy: LatencyProxy | undefined;
    const server = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: targetPort });
      for (const socket of [client, upstream]) {
        proxy!.sockets.add(socket);
        socket.setNoDelay(true); // no Nagle delay on top of the one added here
        socket.on('error', () => undefined);
        socket.on('close', () => proxy!.sockets.delete(socket));
      }
      // Timers of equal duration fire in the order they were set: the byte stream keeps its order.
      client.on('data', (chunk: Buffer) => setTimeout(() => upstream.write(chunk), delayMs));
      client.on('end', () => setTimeout(() => upstream.end(), delayMs));
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    proxy = new LatencyProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy.boundPort = typeof address === 'object' && address !== null ? address.port : 0;
    return proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
