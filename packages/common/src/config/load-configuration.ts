import { readFileSync } from 'node:fs';
import { closest } from 'fastest-levenshtein';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError, errorMessage } from '../errors.js';
import { OptionTypeMismatch } from './option-types.js';
import {
  CONFIG_KEYS,
  CONFIG_OPTIONS,
  environmentVariableOf,
  isConfigKey,
  type ConfigKey,
  type ConfigValues,
} from './options.js';

/** The immutable, validated configuration of one process. */
export type Configuration = ConfigValues;

export interface ConfigurationSources {
  /** Path of a YAML file (`--config`). Missing or unreadable is an error. */
  readonly file?: string | undefined;
  /** Environment; only `RIVULET_*` variables are read. */
  readonly env?: NodeJS.ProcessEnv;
  /** From flags (`--set key=value` and the named flags): highest precedence. */
  readonly flags?: Readonly<Record<string, unknown>>;
}

type RawValues = Map<ConfigKey, { raw: unknown; source: string }>;

/**
 * Resolves flag > environment > file > default, validating every value.
 * Throws a `ConfigurationError` naming the key, where it came from and what
 * was expected. Unknown keys are errors (with the nearest known key suggested).
 */
export function loadConfiguration(sources: ConfigurationSources = {}): Configuration {
  const raw: RawValues = new Map();
  if (sources.file !== undefined) collectFile(sources.file, raw);
  collectEnvironment(sources.env ?? {}, raw);
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value === undefined) continue;
    raw.set(checkedKey(key, 'command line'), { raw: value, source: 'command line' });
  }
  const values: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const entry = raw.get(key);
    const option = CONFIG_OPTIONS[key];
    if (!entry) {
      values[key] = option.default;
      continue;
    }
    try {
      values[key] = option.type.parse(entry.raw);
    } catch (err) {
      if (!(err instanceof OptionTypeMismatch)) throw err;
      throw new ConfigurationError(`${entry.source}: bad value for "${key}": ${err.message}`, {
        key,
        source: entry.source,
      });
    }
  }
  const config = Object.freeze(values) as Configuration;
  checkConsistency(config);
  return config;
}

function checkedKey(key: string, source: string): ConfigKey {
  if (isConfigKey(key)) return key;
  const suggestion = closest(key, CONFIG_KEYS);
  throw new ConfigurationError(
    `${source}: unknown configuration key "${key}" (did you mean "${suggestion}"?)`,
    { key, source },
  );
}

function collectFile(path: string, raw: RawValues): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : errorMessage(err);
    throw new ConfigurationError(`config file ${path}: cannot read it: ${why}`, { source: path, cause: err });
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    throw new ConfigurationError(`config file ${path}: not valid YAML: ${errorMessage(err)}`, {
      source: path,
      cause: err,
    });
  }
  if (document === null || document === undefined) return;
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigurationError(`config file ${path}: expected a mapping of configuration keys at the top level`, {
      source: path,
    });
  }
  const source = `config file ${path}`;
  for (const [key, value] of flatten(document as Record<string, unknown>)) {
    raw.set(checkedKey(key, source), { raw: value, source });
  }
}

/**
 * Accepts Flink's flat keys (`heartbeat.timeout: 5 s`) and nested YAML
 * (`heartbeat: { timeout: 5 s }`), or a mix. Lists are values, not nesting.
 */
function flatten(node: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(node)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !isConfigKey(key)) {
      out.push(...flatten(value as Record<string, unknown>, key));
    } else {
      out.push([key, value]);
    }
  }
  return out;
}

function collectEnvironment(env: NodeJS.ProcessEnv, raw: RawValues): void {
  const byVariable = new Map(CONFIG_KEYS.map((key) => [environmentVariableOf(key), key] as const));
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith('RIVULET_') || value === undefined) continue;
    const key = byVariable.get(variable);
    if (key === undefined) {
      const suggestion = closest(variable, [...byVariable.keys()]);
      throw new ConfigurationError(
        `environment: unknown configuration variable ${variable} (did you mean ${suggestion}?)`,
        { key: variable, source: 'environment' },
      );
    }
    raw.set(key, { raw: value, source: `environment ${variable}` });
  }
}

function checkConsistency(config: Configuration): void {
  if (config['heartbeat.interval'] <= 0 || config['heartbeat.interval'] >= config['heartbeat.timeout']) {
    throw new ConfigurationError(
      `"heartbeat.interval" (${config['heartbeat.interval']} ms) must be above 0 and below "heartbeat.timeout" (${config['heartbeat.timeout']} ms)`,
      { key: 'heartbeat.interval' },
    );
  }
  if (config['high-availability.type'] === 'etcd' && config['high-availability.etcd.endpoints'].length === 0) {
    throw new ConfigurationError(
      '"high-availability.etcd.endpoints" must list at least one etcd URL when "high-availability.type" is etcd',
      { key: 'high-availability.etcd.endpoints' },
    );
  }
  if (config['cluster.registration.initial-timeout'] <= 0) {
    throw new ConfigurationError('"cluster.registration.initial-timeout" must be above 0', {
      key: 'cluster.registration.initial-timeout',
    });
  }
  if (config['cluster.registration.initial-timeout'] > config['cluster.registration.max-timeout']) {
    throw new ConfigurationError(
      '"cluster.registration.initial-timeout" must not exceed "cluster.registration.max-timeout"',
      { key: 'cluster.registration.initial-timeout' },
    );
  }
}

/** Parses `key=value` pairs from repeated `--set` / `-D` flags. */
export function parseKeyValuePairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new ConfigurationError(`command line: expected key=value, got "${pair}"`, { source: 'command line' });
    }
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}
