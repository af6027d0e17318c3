import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { endServerProcess, restartWithin, trackServerProcess, tryKill, type RestartableServer } from './server-process.js';

/**
 * A real S3 endpoint for tests: the npm `s3rver` server run as a separate
 * process (its own `bin/s3rver.js`) on 127.0.0.1, with a temporary data folder.
 *
 * Contracts:
 * - It runs with `NODE_OPTIONS=--openssl-legacy-provider`; without it every
 *   paged listing (ContinuationToken) answers HTTP 500 (measured).
 * - `stop()` / `kill()` end the process by its pid and keep the data folder and
 *   the port, so `start()` brings the same endpoint back with the same objects
 *   ("S3 endpoint stopped during checkpoints"). `close()` stops it for good and
 *   removes the data folder.
 * - Every wait is bounded; a process left running when the test process exits
 *   is killed by pid on `exit`.
 * - Clients must use the settings of s3rver-settings.ts (`s3rverSettings` and
 *   its other forms): credentials S3RVER / S3RVER, path style, checksums only when required.
 */
export interface S3ServerOptions {
  /** Buckets created at start (again at each restart; existing ones are kept). */
  readonly buckets?: readonly string[];
  /** Port to listen on; default 0 (any free port, then kept across restarts). */
  readonly port?: number;
  /** Bound on each start, default 20 s. */
  readonly startTimeoutMs?: number;
  /** Serve HTTPS (`https://127.0.0.1:port`) with this certificate and key (PEM files). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** A running s3rver (see RestartableServer). */
export interface StartedS3Server extends RestartableServer {
  readonly port: number;
  readonly dataDir: string;
  readonly accessKey: 'S3RVER';
  readonly secretKey: 'S3RVER';
  readonly region: 'us-east-1';
  /** `stop()` then `start()`. */
  restart(): Promise<void>;
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

const READY_LINE = /S3rver listening on [^:]+:(\d+)/;

function s3rverBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js');
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_TEST_CONTEXT']; // the child is a server, not a test file
  env['NODE_OPTIONS'] = [env['NODE_OPTIONS'], '--openssl-legacy-provider'].filter(Boolean).join(' ');
  return env;
}




/** Spawns s3rver and resolves with the port it reports, or rejects within `timeoutMs`. */
function spawnS3rver(dataDir: string, port: number, buckets: readonly string[], timeoutMs: number, tls?: S3ServerOptions['tls']): Promise<{ child: ChildProcess; port: number }> {
  const args = [s3rverBin(), '--directory', dataDir, '--address', '127.0.0.1', '--port', String(port), '--silent'];
  if (tls !== undefined) args.push('--key', tls.key, '--cert', tls.cert);
  for (const bucket of buckets) args.push('--configure-bucket', bucket);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  trackServerProcess(child);
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      if (child.pid !== undefined) tryKill(child.pid, 'SIGKILL');
      reject(new Error(`s3rver (${dataDir}, port ${port}) ${why}; stderr: ${stderr.slice(-5).join(' | ')}`));
    };
    const timer = setTimeout(() => fail(`did not report listening within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    child.once('error', (err) => fail(`could not be spawned: ${err.message}`));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = READY_LINE.exec(line);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      trackServerProcess(child);
      resolve({ child, port: Number(match[1]) });
    });
  });
}

/** Starts s3rver as a child process and creates `options.buckets`. */
export async function startS3Server(options: S3ServerOptions = {}): Promise<StartedS3Server> {
  const buckets = options.buckets ?? [];
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'rivulet-s3rver-'));
  let first: { child: ChildProcess; port: number };
  try {
    first = await spawnS3rver(dataDir, options.port ?? 0, buckets, timeoutMs, options.tls);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const port = first.port;
  let child: ChildProcess | null = first.child;

  const end = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    const current = child;
    child = null;
    await endServerProcess(current, signal, graceMs);
  };

  const server: StartedS3Server = {
    endpoint: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    dataDir,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    region: 'us-east-1',
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
      child = (await restartWithin(timeoutMs, (remainingMs) => spawnS3rver(dataDir, port, buckets, remainingMs, options.tls))).child;
    },
    async restart() {
      await server.stop();
      await server.start();
    },
    async close() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
