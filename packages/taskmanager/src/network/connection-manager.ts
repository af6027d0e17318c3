import type { ResolvedNetworkOptions } from './options.js';
import { ClientConnection } from './client-connection.js';
import type { NetworkCounters } from './stats.js';

/**
 * One data connection per producer TaskManager, keyed by its data address and
 * shared by every channel this TaskManager reads from it. Opened lazily by
 * the first channel; a failed connection is forgotten at once, so the next
 * request opens a fresh one.
 */
export class ConnectionManager {
  private readonly connections = new Map<string, ClientConnection>();

  constructor(
    private readonly options: ResolvedNetworkOptions,
    private readonly counters: NetworkCounters,
  ) {}

  get size(): number {
    return this.connections.size;
  }

  connectionTo(host: string, port: number): ClientConnection {
    const key = `${host}:${port}`;
    const existing = this.connections.get(key);
    if (existing?.isOpen === true) return existing;
    const connection = new ClientConnection(host, port, this.options, this.counters, (c) => {
      if (this.connections.get(key) === c) this.connections.delete(key);
    });
    this.connections.set(key, connection);
    return connection;
  }

  closeAll(): void {
    for (const connection of [...this.connections.values()]) connection.destroy();
    this.connections.clear();
  }
}
