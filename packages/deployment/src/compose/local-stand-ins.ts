import { mkdirSync, symlinkSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { ServiceMount } from './compose-file.js';

/**
 * What the compose parity test changes to run a Compose topology as local
 * processes, and nothing more:
 * - network addresses: `SERVICE:PORT` of a service replaced by a local
 *   stand-in (`etcd:2379` → the test's etcd), and the value of an address
 *   or host key (`…address`, `…host`, `…_ADDRESS`, `…_HOST`) that is a
 *   service name, or 0.0.0.0, replaced by 127.0.0.1;
 * - file system paths: every container path lives under one local folder
 *   that plays the containers' root, with each volume at its target; the
 *   values of the security keys that name files (`security.ssl.*.cert`,
 *   `.key`, `.ca`, `security.auth.token-file` and their RIVULET_* variables)
 *   are such paths, made local with `paths`.
 * Any other `SERVICE:PORT` is an error, so a compose change the test cannot
 * stand in for fails it instead of passing unnoticed.
 */
export class LocalStandInError extends Error {
  override readonly name = 'LocalStandInError';
}

export interface HostMapping {
  /** `SERVICE:PORT` → `127.0.0.1:PORT` of the local stand-in. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Every service name of the compose file (each container's host name). */
  readonly serviceNames: readonly string[];
  /** The local path of a container path (ContainerRoot.pathOf); unset: file paths stay as they are. */
  readonly paths?: (containerPath: string) => string;
}

/** True for the keys and variables whose value is a file of the container (the PEM files and the token file). */
export function isFileKey(key: string): boolean {
  return /^security\..*\.(cert|key|ca|token-file)$/.test(key) || /^RIVULET_SECURITY_.*_(CERT|KEY|CA|TOKEN_FILE)$/.test(key);
}

const LOOPBACK = '127.0.0.1';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True for keys (`rest.bind-address`) and variables (`RIVULET_TASKMANAGER_HOST`) whose value is a host. */
export function isHostKey(key: string): boolean {
  return /(address|host)$/i.test(key);
}

/** Rewrites the addresses in the value of `key` (see the module comment). */
export function rewriteAddresses(key: string, value: string, mapping: HostMapping): string {
  const trimmed = value.trim();
  if (isFileKey(key) && trimmed.startsWith('/') && mapping.paths !== undefined) return mapping.paths(trimmed);
  if (isHostKey(key) && (trimmed === '0.0.0.0' || mapping.serviceNames.includes(trimmed))) return LOOPBACK;
  let out = value;
  for (const [endpoint, local] of Object.entries(mapping.endpoints)) {
    out = out.replace(new RegExp(`(?<![\\w.-])${escape(endpoint)}(?![\\w])`, 'g'), local);
  }
  for (const name of mapping.serviceNames) {
    const left = new RegExp(`(?<![\\w.-])${escape(name)}:(\\d+)`).exec(out);
    if (left) throw new LocalStandInError(`"${value}" names ${left[0]}, which has no local stand-in (known: ${Object.keys(mapping.endpoints).join(', ')})`);
  }
  return out;
}

/** Rewrites every string value of a YAML configuration text (keys stay as they are). */
export function rewriteConfigText(text: string, mapping: HostMapping): string {
  const walk = (key: string, node: unknown): unknown => {
    if (typeof node === 'string') return rewriteAddresses(key, node, mapping);
    if (Array.isArray(node)) return node.map((item) => walk(key, item));
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(k, v)]));
    return node;
  };
  return stringifyYaml(walk('', parseYaml(text)) ?? {});
}

/** Rewrites the values of an environment. */
export function rewriteEnvironment(env: Readonly<Record<string, string>>, mapping: HostMapping): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, rewriteAddresses(key, value, mapping)]));
}

/**
 * A local folder standing for the root of every container: each mount's
 * target is a symbolic link to its source (a bind mount's file or folder, or
 * the volume's folder under `volumes/`), so paths the containers share — a
 * named volume, the examples — are shared here too. `replace` gives another
 * source for a bind-mounted file (the test's rewritten config copy).
 */
export class ContainerRoot {
  readonly volumesDir: string;

  constructor(readonly dir: string) {
    this.volumesDir = join(dir, '..', `${dir.split('/').pop()}-volumes`);
    mkdirSync(dir, { recursive: true });
  }

  /** The local path of the container path `path`. */
  pathOf(containerPath: string): string {
    if (!containerPath.startsWith('/')) throw new LocalStandInError(`"${containerPath}" is not an absolute container path`);
    return join(this.dir, containerPath);
  }

  /** Links the service's mounts; the same target must have the same source in every service. */
  mount(service: string, mounts: readonly ServiceMount[], replace: ReadonlyMap<string, string> = new Map()): void {
    for (const mount of mounts) {
      const source = mount.type === 'volume' ? join(this.volumesDir, mount.source) : (replace.get(mount.source) ?? mount.source);
      if (mount.type === 'volume') mkdirSync(source, { recursive: true });
      const link = this.pathOf(mount.target);
      let existing: string | undefined;
      try {
        existing = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : link;
      } catch {
        existing = undefined;
      }
      if (existing === source) continue;
      if (existing !== undefined) {
        throw new LocalStandInError(`service ${service} mounts ${source} at ${mount.target}, where another service mounts ${existing}: one local root cannot hold both`);
      }
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(source, link);
    }
  }

  /** A command's arguments with container paths (an argument, or the value of --opt=PATH) made local. */
  localArgs(args: readonly string[]): string[] {
    return args.map((arg) => {
      if (arg.startsWith('/')) return this.pathOf(arg);
      const match = /^(--[\w-]+=)(\/.*)$/.exec(arg);
      return match ? `${match[1]}${this.pathOf(match[2]!)}` : arg;
    });
  }
}
