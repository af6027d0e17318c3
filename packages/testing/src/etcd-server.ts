import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { endServerProcess, exited, restartWithin, trackServerProcess, tryKill, type RestartableServer } from './server-process.js';
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
}


/** Path of the etcd binary, or undefined when it is not installed. */
export function etcdBinary(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, 'etcd');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}




async function healthy(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(500) });
    const body = (await response.json()) as { health?: unknown };
    return body.health === 'true';
  } catch {
    return false;
  }
}

interface Layout {
  readonly binary: string;
  readonly dataDir: string;
  readonly clientPort: number;
  readonly peerPort: number;
}

/** Spawns etcd and resolves once it is healthy, or kills it and rejects within `timeoutMs`. */
async function spawnEtcd(layout: Layout, timeoutMs: number): Promise<ChildProcess> {
  const client = `http://127.0.0.1:${layout.clientPort}`;
  const peer = `http://127.0.0.1:${layout.peerPort}`;
  const args = [
    '--name', 'rivulet-test',
    '--data-dir', layout.dataDir,
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
  ];
  const child = spawn(layout.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  trackServerProcess(child);
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
  });
  let exitedEarly: string | undefined;
  child.once('exit', (code, signal) => (exitedEarly = `exited before it was healthy (code ${code}, signal ${signal})`));
  child.once('error', (err) => (exitedEarly = `could not be spawned: ${err.message}`));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitedEarly === undefined && (await healthy(client))) return child;
    const why = exitedEarly ?? (Date.now() > deadline ? `was not healthy within ${timeoutMs} ms` : undefined);
    if (why !== undefined) {
      if (child.pid !== undefined) tryKill(child.pid, 'SIGKILL');
      await exited(child);
      throw new Error(`etcd (${client}, data ${layout.dataDir}) ${why}; stderr: ${stderr.slice(-5).join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts etcd as a child process on free 127.0.0.1 ports. Rejects when etcd is not installed. */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<StartedEtcd> {
  const binary = etcdBinary();
  if (binary === undefined) {
    throw new Error("etcd is not installed: the etcd tests need Debian's etcd-server (scripts/setup.sh installs it)");
  }
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'rivulet-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const layout: Layout = { binary, dataDir, clientPort, peerPort };

  let child: ChildProcess | null;
  try {
    child = await spawnEtcd(layout, timeoutMs);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  const end = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    const current = child;
    child = null;
    await endServerProcess(current, signal, graceMs);
  };

  const server: StartedEtcd = {
    endpoint: `http://127.0.0.1:${clientPort}`,
    clientPort,
    get pid() {
      return child?.pid ?? -1;
    },
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    stop: (graceMs = 3000) => end('SIGTERM', graceMs),
    kill: () => end('SIGKILL', 0),
    async start() {
      if (server.running) return;
      child = await restartWithin(timeoutMs, (remainingMs) => spawnEtcd(layout, remainingMs));
    },
    async close() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
