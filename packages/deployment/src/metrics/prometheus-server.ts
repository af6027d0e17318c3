/**
 * A real Prometheus server for tests (Debian package `prometheus`, the same
 * one that provides promtool): a child process on a free 127.0.0.1 port with
 * a temporary data folder. Ready means `/-/ready` answers 200. Every wait is
 * bounded; `stop()` ends it by pid (SIGKILL after a grace period) and removes
 * the folder, and a server still running when the test process exits is
 * killed then.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, waitFor } from '@rivulet/testing';

export interface StartedPrometheus {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** GET `/api/v1/<path>`; resolves with `data`, throws on an error status. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** Path of the prometheus server binary; throws, naming the package, when it is not installed. */
export function prometheusBinary(): string {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin']) {
    if (dir === '') continue;
    const candidate = join(dir, 'prometheus');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('the prometheus server is not installed: install Debian\'s prometheus package (apt-get install prometheus)');
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts Prometheus with `files` (name → text) written to its folder; `config` names the configuration among them. */
export async function startPrometheus(files: Readonly<Record<string, string>>, config: string, options: { timeoutMs?: number } = {}): Promise<StartedPrometheus> {
  const binary = prometheusBinary();
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-prometheus-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child = spawn(binary, [
    `--config.file=${join(dir, config)}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  track(child);
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid !== undefined && tryKill(child.pid), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${output.join('').trim()}`);
      return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok;
    }, { timeoutMs: options.timeoutMs ?? 20_000, what: `prometheus on ${url} to be ready` });
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url,
    async api<T>(path: string): Promise<T> {
      const response = await fetch(`${url}/api/v1/${path}`, { signal: AbortSignal.timeout(5000) });
      const body = (await response.json()) as { status: string; data?: T; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus /api/v1/${path}: ${body.error ?? response.status}`);
      return body.data as T;
    },
    stop,
  };
}

function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of running) if (c.pid !== undefined) tryKill(c.pid);
    });
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
