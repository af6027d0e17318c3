import { execFile } from 'node:child_process';
import { CLI_PATH } from './paths.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rivulet ARGS…` to completion (bounded by `timeoutMs`). */
export function runCli(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('RIVULET_')) env[key] = value;
    execFile(
      process.execPath,
      [CLI_PATH, ...args],
      { timeout: options.timeoutMs ?? 20_000, env: { ...env, ...options.env }, cwd: options.cwd, maxBuffer: 512 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs a client command with `--output json` and parses its output. */
export async function runCliJson<T = unknown>(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<T> {
  const result = await runCli([...args, '--output', 'json'], options);
  if (result.code !== 0) throw new Error(`rivulet ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as T;
}
