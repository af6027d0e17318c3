/**
 * The Rivulet configuration a docker-compose service's daemon would run with:
 * its `--config` file (the host file mounted at that path) and its
 * environment, resolved by the daemons' own `loadConfiguration`. Used to check
 * that a Prometheus target's port is the port the service's daemon serves
 * /metrics on.
 */
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { loadConfiguration, type Configuration } from '@rivulet/common';
import { MetricsFileError } from './errors.js';

export interface ComposeService {
  readonly command?: unknown;
  readonly environment?: unknown;
  readonly volumes?: unknown;
  readonly networks?: unknown;
  readonly profiles?: unknown;
}

/** The services of a compose file's text, YAML merge keys (`<<`) resolved. */
export function composeServices(yamlText: string, file: string): Record<string, ComposeService> {
  let document: unknown;
  try {
    document = parse(yamlText, { merge: true });
  } catch (err) {
    throw new MetricsFileError(file, `not YAML: ${(err as Error).message}`, { cause: err });
  }
  const services = (document as { services?: unknown } | null)?.services;
  if (typeof services !== 'object' || services === null) throw new MetricsFileError(file, 'has no services mapping');
  return services as Record<string, ComposeService>;
}

/** Volumes of a service as `{ source, target }` (short `src:dst[:mode]` or long syntax). */
export function serviceMounts(service: ComposeService): { source: string; target: string }[] {
  if (!Array.isArray(service.volumes)) return [];
  return service.volumes.flatMap((volume: unknown) => {
    if (typeof volume === 'string') {
      const [source, target] = volume.split(':');
      return source !== undefined && target !== undefined ? [{ source, target }] : [];
    }
    const { source, target } = (volume ?? {}) as { source?: unknown; target?: unknown };
    return typeof source === 'string' && typeof target === 'string' ? [{ source, target }] : [];
  });
}

/** Names of the networks a service joins (list or mapping syntax). */
export function serviceNetworks(service: ComposeService): string[] {
  if (Array.isArray(service.networks)) return service.networks.map(String);
  if (typeof service.networks === 'object' && service.networks !== null) return Object.keys(service.networks);
  return ['default'];
}

/** The daemon configuration of service `name` in compose file `file` (in folder `composeDir`). */
export function composeServiceConfiguration(services: Record<string, ComposeService>, name: string, composeDir: string, file: string): Configuration {
  const service = services[name];
  if (service === undefined) throw new MetricsFileError(file, `has no service ${name}`);
  const command = Array.isArray(service.command) ? service.command.map(String) : typeof service.command === 'string' ? service.command.split(/\s+/) : [];
  const configAt = command.indexOf('--config');
  let configFile: string | undefined;
  if (configAt >= 0) {
    const inContainer = command[configAt + 1];
    const mount = serviceMounts(service).find((m) => m.target === inContainer);
    if (mount === undefined) throw new MetricsFileError(file, `service ${name} reads --config ${inContainer}, which no volume of it mounts`);
    configFile = resolve(composeDir, mount.source);
  }
  return loadConfiguration({ file: configFile, env: serviceEnvironment(service, name, file) });
}

function serviceEnvironment(service: ComposeService, name: string, file: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(service.environment)) {
    for (const entry of service.environment.map(String)) {
      const at = entry.indexOf('=');
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
  } else if (typeof service.environment === 'object' && service.environment !== null) {
    for (const [key, value] of Object.entries(service.environment)) if (value !== null && value !== undefined) env[key] = String(value);
  } else if (service.environment !== undefined) {
    throw new MetricsFileError(file, `environment of service ${name} is neither a list nor a mapping`);
  }
  return env;
}
