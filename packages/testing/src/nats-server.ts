import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, startRestartableServer, type RestartableServer, type ServerLaunch } from './server-process.js';
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
  return findBinary('nats-server', ['/usr/sbin', '/usr/bin', '/usr/local/bin']);
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

/** Starts nats-server with JetStream on free 127.0.0.1 ports. Rejects when nats-server is not installed. */
export async function startNatsServer(options: StartNatsServerOptions = {}): Promise<StartedNatsServer> {
  const binary = natsServerBinary();
  if (binary === undefined) {
    throw new Error("nats-server is not installed: the NATS tests need Debian's nats-server (scripts/setup.sh installs it)");
  }
  const storeDir = mkdtempSync(join(tmpdir(), 'rivulet-nats-'));
  const port = await freePort();
  let monitorPort = await freePort();
  while (monitorPort === port) monitorPort = await freePort();
  const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-js', '-sd', storeDir];
  if (options.user !== undefined) args.push('--user', options.user, '--pass', options.password ?? '');
  const launch: ServerLaunch = {
    binary,
    args,
    healthy: () => healthy(`http://127.0.0.1:${monitorPort}`),
    description: `nats-server (nats://127.0.0.1:${port}, store ${storeDir})`,
  };
  return startRestartableServer(`nats://127.0.0.1:${port}`, storeDir, launch, options.startTimeoutMs ?? 20_000, { port, monitorPort, storeDir });
}
