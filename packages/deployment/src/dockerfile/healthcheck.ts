#!/usr/bin/env node
/**
 * The image's HEALTHCHECK (bundled to /opt/rivulet/healthcheck.mjs):
 *
 *   node healthcheck.mjs [--pid PID] [--timeout-ms MS]
 *
 * Finds the Rivulet daemon of the container (PID 1, or the only one; --pid
 * names one), works out its HTTP endpoint from the flags, RIVULET_* variables
 * and --config file it was started with, and asks GET /healthz. Exit code 0
 * when that answers 200 within the timeout (default 4 s), else 1 — Docker's
 * contract. Prints one line saying which, and why.
 */
import { pathToFileURL } from 'node:url';
import { findDaemonProcess, readDaemonProcess, type DaemonProcessInfo } from './daemon-process.js';
import { resolveHealthEndpoint } from './health-endpoint.js';

interface HealthcheckOptions {
  readonly pid: number | undefined;
  readonly timeoutMs: number;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parseOptions(argv: readonly string[]): HealthcheckOptions {
  let pid: number | undefined;
  let timeoutMs = 4000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === '--pid' || arg === '--timeout-ms') && value !== undefined && /^\d+$/.test(value) && Number(value) > 0) {
      if (arg === '--pid') pid = Number(value);
      else timeoutMs = Number(value);
      i++;
    } else {
      throw new UsageError(`unexpected argument "${arg}": usage: healthcheck [--pid PID] [--timeout-ms MS] (positive integers)`);
    }
  }
  return { pid, timeoutMs };
}

function daemonOf(pid: number | undefined): DaemonProcessInfo {
  if (pid === undefined) return findDaemonProcess();
  let info: DaemonProcessInfo | undefined;
  try {
    info = readDaemonProcess(pid);
  } catch (err) {
    throw new Error(`cannot read process ${pid}: ${(err as Error).message}`);
  }
  if (info === undefined) throw new Error(`process ${pid} is not "rivulet jobmanager" or "rivulet taskmanager"`);
  return info;
}

/** Runs the check; resolves with the exit code and the line to print. */
export async function runHealthcheck(argv: readonly string[]): Promise<{ code: 0 | 1; line: string }> {
  try {
    const options = parseOptions(argv);
    const daemon = daemonOf(options.pid);
    const endpoint = resolveHealthEndpoint(daemon.role, daemon.args, daemon.env, daemon.cwd);
    const where = `${daemon.role} (pid ${daemon.pid}) at ${endpoint.url}, port from ${endpoint.portSource}`;
    let response: Response;
    try {
      response = await fetch(endpoint.url, { signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      return { code: 1, line: `unhealthy: ${where}: ${cause}` };
    }
    const body = (await response.text()).trim().slice(0, 200);
    if (response.status === 200) return { code: 0, line: `healthy: ${where}` };
    return { code: 1, line: `unhealthy: ${where}: HTTP ${response.status} ${body}` };
  } catch (err) {
    return { code: 1, line: `unhealthy: ${(err as Error).message}` };
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { code, line } = await runHealthcheck(process.argv.slice(2));
  process.stdout.write(`${line}\n`);
  process.exitCode = code;
}
