import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { interpolate } from './interpolate.js';

/**
 * A Compose file as Compose reads it: YAML with merge keys (`<<: *anchor`),
 * every string value interpolated with the given environment. The fields
 * typed here are the ones the checks read; the schema check sees the whole
 * document.
 */
export interface ComposeHealthcheck {
  readonly test?: string | readonly string[];
  readonly interval?: string;
  readonly timeout?: string;
  readonly start_period?: string;
  readonly retries?: number;
}

export type ComposeDependsOn = readonly string[] | Readonly<Record<string, { readonly condition: string }>>;

export interface ComposeService {
  readonly image?: string;
  readonly build?: string | { readonly context?: string; readonly dockerfile?: string };
  readonly command?: string | readonly string[];
  readonly entrypoint?: string | readonly string[];
  readonly environment?: Readonly<Record<string, string | number | boolean | null>> | readonly string[];
  readonly volumes?: ReadonlyArray<string | { readonly type: string; readonly source?: string; readonly target: string; readonly read_only?: boolean }>;
  readonly working_dir?: string;
  readonly profiles?: readonly string[];
  readonly depends_on?: ComposeDependsOn;
  readonly healthcheck?: ComposeHealthcheck;
  readonly networks?: readonly string[] | Readonly<Record<string, unknown>>;
  readonly ports?: ReadonlyArray<string | number | Record<string, unknown>>;
}

export interface ComposeFile {
  /** Absolute path of the file; relative paths in it are relative to its folder. */
  readonly path: string;
  readonly dir: string;
  /** The whole document after merge keys and interpolation (what the schema validates). */
  readonly document: Record<string, unknown>;
  readonly services: Readonly<Record<string, ComposeService>>;
  /** Variables used without a value or default (Compose would warn). */
  readonly unsetVariables: readonly string[];
}

export class ComposeFileError extends Error {
  override readonly name = 'ComposeFileError';
}

function interpolateAll(node: unknown, env: Readonly<Record<string, string | undefined>>, unset: string[], where: string): unknown {
  if (typeof node === 'string') {
    const result = interpolate(node, env, where);
    unset.push(...result.unset);
    return result.value;
  }
  if (Array.isArray(node)) return node.map((item, i) => interpolateAll(item, env, unset, `${where}[${i}]`));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateAll(value, env, unset, `${where}.${key}`)]));
  }
  return node;
}

/** Parses Compose YAML text; `env` supplies the variables (`${MINIO_ROOT_USER:-…}`). */
export function parseComposeText(text: string, path: string, env: Readonly<Record<string, string | undefined>> = {}): ComposeFile {
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { merge: true });
  } catch (err) {
    throw new ComposeFileError(`${path}: not valid YAML: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ComposeFileError(`${path}: the top level is not a mapping`);
  const unset: string[] = [];
  const document = interpolateAll(parsed, env, unset, path) as Record<string, unknown>;
  const services = document['services'];
  if (services === null || typeof services !== 'object' || Array.isArray(services)) throw new ComposeFileError(`${path}: no "services" mapping`);
  return { path, dir: dirname(path), document, services: services as Record<string, ComposeService>, unsetVariables: [...new Set(unset)] };
}

export function readComposeFile(path: string, env: Readonly<Record<string, string | undefined>> = {}): ComposeFile {
  const absolute = resolve(path);
  return parseComposeText(readFileSync(absolute, 'utf8'), absolute, env);
}

/** The service's environment as the container sees it (a `KEY:` without value is left out: it would come from the shell). */
export function serviceEnvironment(service: ComposeService): Record<string, string> {
  const env: Record<string, string> = {};
  const entries = service.environment ?? {};
  if (Array.isArray(entries)) {
    for (const entry of entries as readonly string[]) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else {
    for (const [key, value] of Object.entries(entries)) if (value !== null) env[key] = String(value);
  }
  return env;
}

/** The command in list form; the string form is refused (its shell-like splitting is Compose's, not ours to guess). */
export function serviceCommand(name: string, service: ComposeService): string[] {
  const command = service.command;
  if (command === undefined) return [];
  if (typeof command === 'string') throw new ComposeFileError(`service ${name}: write "command" as a list, e.g. ["jobmanager", "--config", "/etc/rivulet/rivulet.yaml"]`);
  return [...command];
}

export interface ServiceMount {
  readonly type: 'bind' | 'volume';
  /** bind: absolute host path; volume: the volume's name. */
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** The service's volumes, short (`SRC:DST[:ro]`) or long syntax; bind sources resolved against the file's folder. */
export function serviceMounts(file: ComposeFile, name: string): ServiceMount[] {
  const service = file.services[name];
  if (!service) throw new ComposeFileError(`no service "${name}" in ${file.path}`);
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume === 'string') {
      const [source = '', target, mode = ''] = volume.split(':');
      if (target === undefined) throw new ComposeFileError(`service ${name}: volume "${volume}" has no target (SOURCE:TARGET)`);
      const bind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
      return { type: bind ? 'bind' : 'volume', source: bind ? resolveHostPath(file.dir, source) : source, target, readOnly: mode.split(',').includes('ro') };
    }
    const type = volume.type === 'bind' ? 'bind' : 'volume';
    const source = volume.source ?? '';
    return { type, source: type === 'bind' ? resolveHostPath(file.dir, source) : source, target: volume.target, readOnly: volume.read_only === true };
  });
}

function resolveHostPath(dir: string, source: string): string {
  return isAbsolute(source) ? source : resolve(dir, source);
}

/** depends_on as service → condition (the list form means service_started). */
export function serviceDependencies(service: ComposeService): Record<string, string> {
  const dependsOn = service.depends_on ?? [];
  if (Array.isArray(dependsOn)) return Object.fromEntries((dependsOn as readonly string[]).map((dep) => [dep, 'service_started']));
  return Object.fromEntries(Object.entries(dependsOn as Record<string, { condition: string }>).map(([dep, spec]) => [dep, spec.condition]));
}

/** The names of the networks a service joins. */
export function serviceNetworks(service: ComposeService): string[] {
  const networks = service.networks ?? [];
  return Array.isArray(networks) ? [...(networks as readonly string[])] : Object.keys(networks);
}
