import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';

/** The roles whose daemons serve /healthz. */
export type DaemonRole = 'jobmanager' | 'taskmanager';

/**
 * A running `rivulet jobmanager|taskmanager` process as Linux shows it in
 * /proc: its arguments after the role, its environment and its working
 * directory (against which a relative --config is resolved).
 */
export interface DaemonProcessInfo {
  readonly pid: number;
  readonly role: DaemonRole;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** Why no daemon could be found; the message names what was looked at. */
export class DaemonNotFoundError extends Error {
  override readonly name = 'DaemonNotFoundError';
}

const ROLES: readonly string[] = ['jobmanager', 'taskmanager'];
/** What the script after `node` is called: the bin link, the bin file, or the CLI entry. */
const CLI_SCRIPTS: readonly string[] = ['rivulet', 'rivulet.js', 'main.js'];

/**
 * The role and the arguments after it when `argv` (a /proc cmdline) is a
 * Rivulet daemon — `node …/rivulet[.js]|main.js jobmanager|taskmanager ARGS` —
 * else undefined. Options of node itself (`node --inspect …`) are skipped.
 */
export function daemonCommandOf(argv: readonly string[]): { role: DaemonRole; args: string[] } | undefined {
  if (argv.length < 3 || !basename(argv[0] ?? '').startsWith('node')) return undefined;
  let script = 1;
  while (script < argv.length && (argv[script] ?? '').startsWith('-')) script++;
  const role = argv[script + 1];
  if (!CLI_SCRIPTS.includes(basename(argv[script] ?? '')) || role === undefined || !ROLES.includes(role)) return undefined;
  return { role: role as DaemonRole, args: argv.slice(script + 2) };
}

function splitNul(text: string): string[] {
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Reads /proc/PID; undefined when that process is not a Rivulet daemon. Throws when /proc/PID cannot be read. */
export function readDaemonProcess(pid: number, proc = '/proc'): DaemonProcessInfo | undefined {
  const command = daemonCommandOf(splitNul(readFileSync(`${proc}/${pid}/cmdline`, 'utf8')));
  if (command === undefined) return undefined;
  const env: Record<string, string> = {};
  for (const entry of splitNul(readFileSync(`${proc}/${pid}/environ`, 'utf8'))) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { pid, role: command.role, args: command.args, env, cwd: readlinkSync(`${proc}/${pid}/cwd`) };
}

/**
 * The daemon of this container: PID 1 when it is one (ENTRYPOINT in exec
 * form), else the only Rivulet daemon among the processes this user can read
 * (`init: true` puts it below an init process). Throws DaemonNotFoundError
 * when there is none, or more than one.
 */
export function findDaemonProcess(proc = '/proc'): DaemonProcessInfo {
  const first = tryRead(1, proc);
  if (first !== undefined) return first;
  const found: DaemonProcessInfo[] = [];
  for (const name of readdirSync(proc)) {
    if (!/^\d+$/.test(name) || name === '1') continue;
    const info = tryRead(Number(name), proc);
    if (info !== undefined) found.push(info);
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new DaemonNotFoundError(`no "rivulet jobmanager" or "rivulet taskmanager" process found in ${proc}`);
  throw new DaemonNotFoundError(
    `${found.length} Rivulet daemons found (pids ${found.map((d) => d.pid).join(', ')}): name one with --pid`,
  );
}

function tryRead(pid: number, proc: string): DaemonProcessInfo | undefined {
  try {
    return readDaemonProcess(pid, proc);
  } catch {
    return undefined; // gone, or another user's process
  }
}
