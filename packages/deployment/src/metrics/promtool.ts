/**
 * Runs Prometheus's own `promtool` (Debian package `prometheus`) to check a
 * configuration or rules file, or to unit-test alerting rules. Each run is
 * bounded in time; a missing promtool is an error that names the package.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface PromtoolResult {
  readonly ok: boolean;
  /** stdout and stderr together: promtool writes its verdicts to both. */
  readonly output: string;
}

/** The promtool executable on PATH; throws, naming the package to install, when there is none. */
export function promtoolPath(): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'promtool');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error('promtool is not installed: install Debian\'s prometheus package (apt-get install prometheus), which provides it');
}

/** `promtool ARGS…`, resolved with its verdict (exit code 0 or not) and output; rejects only if it cannot run or times out. */
export function runPromtool(args: readonly string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<PromtoolResult> {
  const binary = promtoolPath();
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: options.timeoutMs ?? 20_000, cwd: options.cwd }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (err && (err as { killed?: boolean }).killed) {
        reject(new Error(`promtool ${args.join(' ')} did not finish within ${options.timeoutMs ?? 20_000} ms: ${output}`));
      } else if (err && typeof err.code !== 'number') {
        reject(new Error(`promtool ${args.join(' ')} could not run: ${err.message}`, { cause: err }));
      } else {
        resolve({ ok: !err, output });
      }
    });
  });
}
