import type { ChildProcess } from 'node:child_process';

/**
 * Process handling shared by the test servers (etcd, s3rver): every server
 * process is tracked, and killed by pid should the test process exit while
 * it still runs; stopping is by signal, with SIGKILL after a grace period.
 */
/** A test server run as a child process that can crash and come back with its data and ports. */
export interface RestartableServer {
  /** `http://127.0.0.1:PORT`, stable across restarts. */
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
