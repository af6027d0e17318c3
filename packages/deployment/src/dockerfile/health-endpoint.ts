import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { DaemonRole } from './daemon-process.js';

/**
 * Where a daemon serves /healthz, worked out the way the daemon resolved its
 * own configuration — named flag > `-D`/`--set` > RIVULET_* environment >
 * `--config` file > default — for the two keys that matter: the HTTP port and
 * the interface it is bound to.
 *
 * This mirrors `loadConfiguration` of @rivulet/common for those keys only,
 * because loading that package takes seconds (gRPC, the AWS SDK) and a
 * HEALTHCHECK runs every few seconds; a test compares both on the same inputs.
 * The daemon already validated its configuration when it started, so what is
 * read here was accepted once.
 */
export interface HealthEndpoint {
  /** Address to connect to: the bind address, or loopback when bound to every interface. */
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Where the port came from, for the healthcheck's message. */
  readonly portSource: string;
}

export class HealthEndpointError extends Error {
  override readonly name = 'HealthEndpointError';
}

interface RoleKeys {
  readonly portKey: string;
  readonly portDefault: number;
  readonly portFlag: string;
  readonly bindKey: string;
  readonly bindDefault: string;
}

/** The keys and the CLI's named flags (packages/cli/src/commands/{jobmanager,taskmanager}.ts) per role. */
export const ROLE_KEYS: Readonly<Record<DaemonRole, RoleKeys>> = {
  jobmanager: { portKey: 'rest.port', portDefault: 8081, portFlag: '--rest-port', bindKey: 'rest.bind-address', bindDefault: '127.0.0.1' },
  taskmanager: {
    portKey: 'taskmanager.http.port',
    portDefault: 9249,
    portFlag: '--http-port',
    bindKey: 'taskmanager.bind-host',
    bindDefault: '127.0.0.1',
  },
};

/** Options of the daemon commands that take a value (so their value is not read as an option). */
const VALUE_OPTIONS = new Set([
  '-c', '--config', '-D', '--set', '--rpc-port', '--rest-port', '--host',
  '--jobmanager', '--slots', '--data-port', '--http-port',
]);

interface ParsedArgs {
  readonly named: Map<string, string>;
  readonly pairs: Map<string, string>;
  readonly configFile: string | undefined;
}

/** Reads the daemon's arguments as commander did: `--opt value`, `--opt=value`, `-c FILE`, `-cFILE`, `-D k=v`, `-Dk=v`. */
export function parseDaemonArgs(args: readonly string[]): ParsedArgs {
  const named = new Map<string, string>();
  const pairs = new Map<string, string>();
  let configFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    let option: string;
    let value: string | undefined;
    if (arg.startsWith('--') && arg.includes('=')) {
      option = arg.slice(0, arg.indexOf('='));
      value = arg.slice(arg.indexOf('=') + 1);
    } else if (/^-[cD]./.test(arg)) {
      option = arg.slice(0, 2);
      value = arg.slice(2);
    } else if (VALUE_OPTIONS.has(arg)) {
      option = arg;
      value = args[++i];
    } else {
      continue;
    }
    if (value === undefined) continue;
    if (option === '-c' || option === '--config') configFile = value;
    else if (option === '-D' || option === '--set') {
      const eq = value.indexOf('=');
      if (eq > 0) pairs.set(value.slice(0, eq).trim(), value.slice(eq + 1));
    } else named.set(option, value);
  }
  return { named, pairs, configFile };
}

/** RIVULET_ and the key upper-cased, every other character an underscore (docs/configuration.md). */
export function environmentVariableOf(key: string): string {
  return `RIVULET_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Every key of the file, nested mappings joined with dots (`rest: {port: 1}` is `rest.port`). */
function flattenYaml(node: Record<string, unknown>, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [name, value] of Object.entries(node)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flattenYaml(value as Record<string, unknown>, key, out);
    else out.set(key, value);
  }
  return out;
}

function readConfigFile(path: string): Map<string, unknown> {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new HealthEndpointError(`cannot read the daemon's config file ${path}: ${(err as Error).message}`);
  }
  if (document === null || document === undefined) return new Map();
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new HealthEndpointError(`the daemon's config file ${path} is not a mapping of keys`);
  }
  return flattenYaml(document as Record<string, unknown>);
}

function parsePort(raw: unknown, source: string, key: string): number {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!/^\+?\d+$/.test(text) || Number(text) > 65535) {
    throw new HealthEndpointError(`${source}: "${key}" is not a port number: ${JSON.stringify(raw)}`);
  }
  const port = Number(text);
  if (port === 0) {
    throw new HealthEndpointError(
      `${source}: "${key}" is 0 (a free port chosen at start), so a health check cannot know it: give the daemon a fixed port`,
    );
  }
  return port;
}

/** Where the daemon `role` started with `args`, `env` in `cwd` serves /healthz. */
export function resolveHealthEndpoint(
  role: DaemonRole,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): HealthEndpoint {
  const keys = ROLE_KEYS[role];
  const parsed = parseDaemonArgs(args);
  const configPath = parsed.configFile === undefined ? undefined : isAbsolute(parsed.configFile) ? parsed.configFile : resolve(cwd, parsed.configFile);
  const file = configPath === undefined ? new Map<string, unknown>() : readConfigFile(configPath);

  const lookup = (key: string, namedFlag: string): { raw: unknown; source: string } | undefined => {
    const flag = parsed.named.get(namedFlag);
    if (flag !== undefined) return { raw: flag, source: `flag ${namedFlag}` };
    const pair = parsed.pairs.get(key);
    if (pair !== undefined) return { raw: pair, source: `flag -D ${key}` };
    const variable = environmentVariableOf(key);
    const fromEnv = env[variable];
    if (fromEnv !== undefined) return { raw: fromEnv, source: `environment ${variable}` };
    if (file.has(key)) return { raw: file.get(key), source: `config file ${configPath}` };
    return undefined;
  };

  const portEntry = lookup(keys.portKey, keys.portFlag);
  const port = portEntry === undefined ? keys.portDefault : parsePort(portEntry.raw, portEntry.source, keys.portKey);
  const bindEntry = lookup(keys.bindKey, '--host');
  const bind = bindEntry === undefined ? keys.bindDefault : String(bindEntry.raw).trim();
  const host = bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '::1' : bind;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return { host, port, url: `http://${hostInUrl}:${port}/healthz`, portSource: portEntry?.source ?? 'default' };
}
