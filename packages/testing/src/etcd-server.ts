import { mkdtempSync, readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, startRestartableServer, type RestartableServer, type ServerLaunch } from './server-process.js';
import { freePort } from './free-port.js';

/**
 * A real etcd for tests: Debian's `etcd` binary (package etcd-server 3.4) run
 * as a child process on free 127.0.0.1 ports with a temporary data dir.
 *
 * Contracts:
 * - Ready means `GET /health` on the client port answers `{"health":"true"}`
 *   (the member has a raft leader and serves requests).
 * - `stop()` / `kill()` end the process by its pid and keep the data dir and
 *   both ports, so `start()` brings back the same endpoint with the same keys
 *   and leases (etcd refreshes every lease to its full TTL when it restarts).
 *   `close()` stops it for good and removes the data dir.
 * - Every wait is bounded; a process left running when the test process exits
 *   is killed by pid on `exit`.
 */
/** A running etcd (see RestartableServer); `endpoint` is its client URL. */
export interface StartedEtcd extends RestartableServer {
  readonly clientPort: number;
}

export interface StartEtcdOptions {
  /** Bound on each start (spawn until healthy), default 20 s. */
  readonly startTimeoutMs?: number;
  /**
   * Serve clients over TLS (`https://127.0.0.1:port`) with this certificate
   * and require client certificates signed by `ca` (etcd's --client-cert-auth).
   */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
}


/** Path of the etcd binary, or undefined when it is not installed. */
export function etcdBinary(): string | undefined {
  return findBinary('etcd', ['/usr/bin', '/usr/local/bin']);
}

async function healthy(endpoint: string, tls: StartEtcdOptions['tls']): Promise<boolean> {
  if (tls !== undefined) return healthyOverTls(endpoint, tls);
  try {
    const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(500) });
    const body = (await response.json()) as { health?: unknown };
    return body.health === 'true';
  } catch {
    return false;
  }
}

/** `GET /health` with a client certificate (fetch cannot present one). */
function healthyOverTls(endpoint: string, tls: NonNullable<StartEtcdOptions['tls']>): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpsGet(`${endpoint}/health`, {
      ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key), timeout: 500,
    }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      response.on('end', () => resolve(body.includes('"health":"true"')));
      response.on('error', () => resolve(false));
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

/** How etcd is started on `clientPort` / `peerPort` with its data in `dataDir`. */
function etcdLaunch(binary: string, dataDir: string, clientPort: number, peerPort: number, tls: StartEtcdOptions['tls']): ServerLaunch {
  const client = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'rivulet-test',
    '--data-dir', dataDir,
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `rivulet-test=${peer}`,
    // A single member waits one election timeout before it leads after a
    // restart: short timeouts make a restart take ~0.3 s instead of ~1.5 s.
    '--heartbeat-interval', '50',
    '--election-timeout', '300',
    '--logger', 'zap',
    '--log-level', 'warn',
    ...(tls === undefined ? [] : ['--cert-file', tls.cert, '--key-file', tls.key, '--trusted-ca-file', tls.ca, '--client-cert-auth']),
  ];
  return { binary, args, healthy: () => healthy(client, tls), description: `etcd (${client}, data ${dataDir})` };
}

/** Starts etcd as a child process on free 127.0.0.1 ports. Rejects when etcd is not installed. */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<StartedEtcd> {
  const binary = etcdBinary();
  if (binary === undefined) {
    throw new Error("etcd is not installed: the etcd tests need Debian's etcd-server (scripts/setup.sh installs it)");
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'rivulet-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const launch = etcdLaunch(binary, dataDir, clientPort, peerPort, options.tls);
  return startRestartableServer(`${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${clientPort}`, dataDir, launch, options.startTimeoutMs ?? 20_000, { clientPort });
}
