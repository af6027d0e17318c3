import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Process handling shared by the test servers (etcd, NATS, s3rver): every server
 * process is tracked, and killed by pid should the test process exit while
 * it still runs; stopping is by signal, with SIGKILL after a grace period.
 */
/** A test server run as a child process that can crash and come back with its data and ports. */
export interface RestartableServer {
  /** Where clients connect (`http://127.0.0.1:PORT`, `nats://127.0.0.1:PORT`), stable across restarts. */
  readonly endpoint: string;
  /** Pid of the current process; -1 while stopped. */
  readonly pid: number;
  readonly running: boolean;
  /** SIGTERM by pid (SIGKILL after `graceMs`, default 3 s); data and ports are kept. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL by pid, as a crash; data and ports are kept. */
  kill(): Promise<void>;
  /** Starts the process again on the same ports and data folder. */
  start(): Promise<void>;
  /** Stops the process and removes its data folder. Idempotent. */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Tracks `child` until it exits (call again after removing its 'exit' listeners). */
export function trackServerProcess(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const running of live) if (running.pid !== undefined) tryKill(running.pid, 'SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal` to `child`, SIGKILL after `graceMs`, and waits for it to exit. */
export async function endServerProcess(child: ChildProcess | null, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!child || child.pid === undefined) return;
  const done = exited(child);
  tryKill(child.pid, signal);
  const timer = setTimeout(() => tryKill(child.pid!, 'SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** Starts a server again on the ports it had a moment ago, retrying briefly while an old socket lingers. */
export async function restartWithin<T>(timeoutMs: number, spawnServer: (remainingMs: number) => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await spawnServer(Math.max(1000, deadline - Date.now()));
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Path of an installed binary: the first executable `name` in PATH or in `extraDirs`, else undefined. */
export function findBinary(name: string, extraDirs: readonly string[]): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** How to start one server process: its binary and arguments, how to tell it is ready, and how to name it in errors. */
export interface ServerLaunch {
  readonly binary: string;
  readonly args: readonly string[];
  /** Resolves true once the server serves requests (polled every 50 ms). */
  readonly healthy: () => Promise<boolean>;
  /** E.g. `etcd (http://127.0.0.1:2379, data /tmp/x)`: the start of every error about it. */
  readonly description: string;
}

/**
 * Spawns a server and resolves once it is healthy; if it exits first or is
 * not healthy within `timeoutMs`, kills it by pid and rejects with the last
 * lines of its stderr.
 */
export async function spawnUntilHealthy(launch: ServerLaunch, timeoutMs: number): Promise<ChildProcess> {
  const child = spawn(launch.binary, launch.args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
    if (exitedEarly === undefined && (await launch.healthy())) return child;
    const why = exitedEarly ?? (Date.now() > deadline ? `was not healthy within ${timeoutMs} ms` : undefined);
    if (why !== undefined) {
      if (child.pid !== undefined) tryKill(child.pid, 'SIGKILL');
      await exited(child);
      throw new Error(`${launch.description} ${why}; stderr: ${stderr.slice(-5).join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts a server whose data lives in `dataDir` and returns it as a
 * RestartableServer with the fields of `extra` (ports, folders): `start()`
 * spawns it again with the same launch (same ports, same data), `close()`
 * stops it and removes `dataDir`. The data dir is removed at once when the
 * first start fails.
 */
export async function startRestartableServer<X extends object>(
  endpoint: string,
  dataDir: string,
  launch: ServerLaunch,
  timeoutMs: number,
  extra: X,
): Promise<RestartableServer & X> {
  let child: ChildProcess | null;
  try {
    child = await spawnUntilHealthy(launch, timeoutMs);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const end = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    const current = child;
    child = null;
    await endServerProcess(current, signal, graceMs);
  };
  const server: RestartableServer = {
    endpoint,
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
      child = await restartWithin(timeoutMs, (remainingMs) => spawnUntilHealthy(launch, remainingMs));
    },
    async close() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return Object.assign(server, extra);
}
