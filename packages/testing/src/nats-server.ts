import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { endServerProcess, exited, restartWithin, trackServerProcess, tryKill, type RestartableServer } from './server-process.js';
import { freePort } from './free-port.js';

/**
 * A real NATS server with JetStream for tests: Debian's `nats-server` binary
 * (package nats-server 2.9) run as a child process on free 127.0.0.1 ports,
 * with a temporary JetStream store dir.
 *
 * Contracts:
 * - Ready means the monitoring port's `GET /healthz` answers
 *   `{"status":"ok"}`: the client port listens and JetStream is enabled.
 * - `endpoint` is the client URL `nats://127.0.0.1:PORT` (not http).
 * - With `user` and `password` the server accepts only those credentials.
 * - `stop()` / `kill()` end the process by its pid and keep the store dir and
 *   both ports, so `start()` brings back the same endpoint with the same
 *   streams and messages. `close()` stops it for good and removes the store.
 * - Every wait is bounded; a process left running when the test process exits
 *   is killed by pid on `exit`.
 */
/** A running nats-server (see RestartableServer); `endpoint` is its `nats://` URL. */
export interface StartedNatsServer extends RestartableServer {
  readonly port: number;
  readonly monitorPort: number;
  readonly storeDir: string;
}

export interface StartNatsServerOptions {
  /** Only this user (with `password`) may connect. */
  readonly user?: string;
  readonly password?: string;
  /** Bound on each start (spawn until healthy), default 20 s. */
  readonly startTimeoutMs?: number;
}

/** Path of the nats-server binary (Debian puts it in /usr/sbin), or undefined when it is not installed. */
export function natsServerBinary(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function healthy(monitor: string): Promise<boolean> {
  try {
    const response = await fetch(`${monitor}/healthz`, { signal: AbortSignal.timeout(500) });
    const body = (await response.json()) as { status?: unknown };
    return body.status === 'ok';
  } catch {
    return false;
  }
}

interface Layout {
  readonly binary: string;
  readonly storeDir: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly user: string | undefined;
  readonly password: string | undefined;
}

/** Spawns nats-server and resolves once it is healthy, or kills it and rejects within `timeoutMs`. */
async function spawnNatsServer(layout: Layout, timeoutMs: number): Promise<ChildProcess> {
  const monitor = `http://127.0.0.1:${layout.monitorPort}`;
  const args = ['-a', '127.0.0.1', '-p', String(layout.port), '-m', String(layout.monitorPort), '-js', '-sd', layout.storeDir];
  if (layout.user !== undefined) args.push('--user', layout.user, '--pass', layout.password ?? '');
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
    if (exitedEarly === undefined && (await healthy(monitor))) return child;
    const why = exitedEarly ?? (Date.now() > deadline ? `was not healthy within ${timeoutMs} ms` : undefined);
    if (why !== undefined) {
      if (child.pid !== undefined) tryKill(child.pid, 'SIGKILL');
      await exited(child);
      throw new Error(`nats-server (nats://127.0.0.1:${layout.port}, store ${layout.storeDir}) ${why}; stderr: ${stderr.slice(-5).join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts nats-server with JetStream on free 127.0.0.1 ports. Rejects when nats-server is not installed. */
export async function startNatsServer(options: StartNatsServerOptions = {}): Promise<StartedNatsServer> {
  const binary = natsServerBinary();
  if (binary === undefined) {
    throw new Error("nats-server is not installed: the NATS tests need Debian's nats-server (scripts/setup.sh installs it)");
  }
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const storeDir = mkdtempSync(join(tmpdir(), 'rivulet-nats-'));
  const port = await freePort();
  let monitorPort = await freePort();
  while (monitorPort === port) monitorPort = await freePort();
  const layout: Layout = { binary, storeDir, port, monitorPort, user: options.user, password: options.password };

  let child: ChildProcess | null;
  try {
    child = await spawnNatsServer(layout, timeoutMs);
  } catch (err) {
    rmSync(storeDir, { recursive: true, force: true });
    throw err;
  }

  const end = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    const current = child;
    child = null;
    await endServerProcess(current, signal, graceMs);
  };

  const server: StartedNatsServer = {
    endpoint: `nats://127.0.0.1:${port}`,
    port,
    monitorPort,
    storeDir,
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
      child = await restartWithin(timeoutMs, (remainingMs) => spawnNatsServer(layout, remainingMs));
    },
    async close() {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  return server;
}
