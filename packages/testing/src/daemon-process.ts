import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DAEMON_NODE_FLAGS } from '@rivulet/common';
import { CLI_PATH } from './paths.js';
import { freezeProcess } from './process-freeze.js';
import { waitFor } from './wait-for.js';

export type LogEntry = Record<string, unknown> & { msg?: string };

const started = new Set<DaemonProcess>();

/**
 * A `rivulet` daemon started by a test as a real process on 127.0.0.1. Its
 * JSON log lines are kept in memory for assertions; `stop()` and
 * `stopAllProcesses()` make sure nothing outlives the test.
 */
export class DaemonProcess {
  readonly child: ChildProcess;
  readonly logs: LogEntry[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ) {
    // The IPC channel makes the daemon stop by itself if this test process
    // dies (a test-runner timeout skips `after` hooks): nothing outlives it.
    // Started with the Node.js flags `rivulet local` and the image give daemons.
    this.child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, CLI_PATH, ...args], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: cleanEnv(env),
    });
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
    started.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        started.delete(this);
        resolve({ code, signal });
      });
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as LogEntry);
      } catch {
        this.logs.push({ msg: line, raw: true });
      }
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.stderr.push(line));
  }

  /** Spawns `rivulet ARGS…` and waits for the log line `readyMessage`. */
  static async start(
    name: string,
    args: readonly string[],
    options: { readyMessage: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
  ): Promise<{ daemon: DaemonProcess; ready: LogEntry }> {
    const daemon = new DaemonProcess(name, args, options.env ?? {});
    let exited = false;
    void daemon.exited.then(() => {
      exited = true;
    });
    const ready = await waitFor(
      () => {
        if (exited) throw new Error(`${name} exited before it was ready: ${daemon.stderr.join(' | ')}`);
        return daemon.logs.find((entry) => entry.msg === options.readyMessage);
      },
      { timeoutMs: options.timeoutMs ?? 20_000, what: `${name} to log "${options.readyMessage}"` },
    ).catch(async (err: unknown) => {
      await daemon.stop();
      throw err;
    });
    return { daemon, ready };
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) process.kill(this.pid, signal);
  }

  /** SIGSTOP, resolving once the process is stopped for sure (see freezeProcess); resume with signal('SIGCONT'). */
  async freeze(): Promise<void> {
    if (!this.running) throw new Error(`${this.name} is not running: it cannot be frozen`);
    await freezeProcess(this.pid);
  }

  /** Waits for a log entry matching `predicate` (looking at all lines so far). */
  waitForLog(predicate: (entry: LogEntry) => boolean, timeoutMs = 10_000, what = 'a log line'): Promise<LogEntry> {
    return waitFor(() => this.logs.find(predicate), { timeoutMs, what: `${this.name}: ${what}` });
  }

  /** SIGTERM (after SIGCONT, in case a test froze it), SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) {
      this.signal('SIGCONT');
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      const result = await this.exited;
      clearTimeout(timer);
      return result;
    }
    return this.exited;
  }
}

/** Kills (by pid) every daemon a test started that is still running. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...started].map((daemon) => daemon.stop(2000)));
}

/** Test daemons never inherit RIVULET_* variables from the developer's shell. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('RIVULET_')) env[key] = value;
  }
  return { ...env, ...extra };
}
