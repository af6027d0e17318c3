import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1';
import { loadConfiguration, parseKeyValuePairs, type Configuration } from '@rivulet/common';
import { containerEnvironment, dataOf, samplePod, type PodSample } from './container-environment.js';
import type { KubernetesObject } from './manifest.js';
import { parseDaemonArguments, type DaemonArguments } from './rivulet-daemons.js';
import { containersOf, podTemplatesOf, type PodTemplate } from './workloads.js';

/** A container that runs the Rivulet image. */
export interface RivuletContainer {
  readonly template: PodTemplate;
  readonly container: IContainer;
  /** `Deployment/rivulet-jobmanager container jobmanager`. */
  readonly where: string;
}

/** `registry.example.com:5000/team/rivulet:1.0@sha256:…` → `rivulet`. */
export function imageBaseName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return (colon === -1 ? withoutDigest : withoutDigest.slice(0, colon)).slice(lastSlash + 1);
}

/** Every container whose image is `…/rivulet[:tag]`. */
export function rivuletContainers(objects: readonly KubernetesObject[], imageName = 'rivulet'): RivuletContainer[] {
  return podTemplatesOf(objects).flatMap((template) =>
    containersOf(template.template)
      .filter((container) => imageBaseName(container.image ?? '') === imageName)
      .map((container) => ({ template, container, where: `${template.ownerName} container ${container.name}` })),
  );
}

/** A file a container sees through a ConfigMap or Secret volume. */
export interface MountedFile {
  /** `ConfigMap/rivulet-config-… key rivulet.yaml`. */
  readonly source: string;
  readonly text: string;
}

/**
 * The content of `path` inside `container`, from the ConfigMap or Secret
 * volume mounted over it (`items`, `subPath` honoured). Throws, naming the
 * path, when no such volume provides it.
 */
export function mountedFile(objects: readonly KubernetesObject[], target: RivuletContainer, path: string): MountedFile {
  const spec = target.template.template.spec;
  const namespace = target.template.owner.metadata.namespace ?? 'default';
  for (const mount of target.container.volumeMounts ?? []) {
    const volume = spec?.volumes?.find((v) => v.name === mount.name);
    const source = volume?.configMap ?? volume?.secret;
    if (!volume || !source) continue;
    const kind = volume.configMap ? 'ConfigMap' : 'Secret';
    const name = volume.configMap?.name ?? volume.secret?.secretName ?? '';
    // The path of the file inside the volume, or undefined if the mount does not cover `path`.
    let inVolume: string | undefined;
    if (mount.subPath) inVolume = posix.normalize(mount.mountPath) === posix.normalize(path) ? mount.subPath : undefined;
    else if (path.startsWith(`${posix.normalize(mount.mountPath).replace(/\/$/, '')}/`)) inVolume = posix.relative(mount.mountPath, path);
    if (inVolume === undefined) continue;
    const object = objects.find((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? namespace) === namespace);
    if (!object) throw new Error(`${path} is mounted from ${kind} ${name}, which the manifests do not create`);
    const items = source.items;
    const key = items ? items.find((item) => item.path === inVolume)?.key : inVolume;
    const text = key === undefined ? undefined : dataOf(object)[key];
    if (text === undefined) throw new Error(`${path} is mounted from ${kind}/${name}, which has no key for "${inVolume}"`);
    return { source: `${kind}/${name} key ${key}`, text };
  }
  throw new Error(`no ConfigMap or Secret volume is mounted over ${path}`);
}

/** A Rivulet daemon container with the configuration it would start with. */
export interface ResolvedDaemon extends RivuletContainer {
  readonly args: DaemonArguments;
  readonly pod: PodSample;
  readonly env: Readonly<Record<string, string>>;
  readonly configFile: MountedFile | undefined;
  readonly config: Configuration;
}

/**
 * Resolves the configuration `target` would start with, through the daemons'
 * own `loadConfiguration`: its arguments, the mounted file `--config` names
 * and the environment the kubelet would give it (`extraEnv` last, for tests
 * that run the container as a local process). Throws an Error naming the
 * container and what was wrong; problems with the environment's references
 * are thrown too.
 */
export function resolveDaemon(
  objects: readonly KubernetesObject[],
  target: RivuletContainer,
  options: { pod?: PodSample; extraEnv?: Readonly<Record<string, string>> } = {},
): ResolvedDaemon {
  const fail = (message: string, cause?: unknown): never => {
    throw new Error(`${target.where}: ${message}`, { cause });
  };
  let args: DaemonArguments;
  try {
    args = parseDaemonArguments([...(target.container.command ?? []), ...(target.container.args ?? [])]);
  } catch (err) {
    return fail((err as Error).message, err);
  }
  const pod = options.pod ?? samplePod(target.template);
  const environment = containerEnvironment(objects, target.template, target.container, pod);
  if (environment.problems.length > 0) fail(environment.problems.join('; '));
  const env = { ...environment.env, ...options.extraEnv };
  let configFile: MountedFile | undefined;
  if (args.configPath !== undefined) {
    try {
      configFile = mountedFile(objects, target, args.configPath);
    } catch (err) {
      return fail(`--config ${args.configPath}: ${(err as Error).message}`, err);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-k8s-config-'));
  try {
    const file = args.configPath === undefined ? undefined : join(dir, basename(args.configPath));
    if (file !== undefined) writeFileSync(file, configFile?.text ?? '');
    const config = loadConfiguration({ file, env, flags: parseKeyValuePairs([...args.settings]) });
    return { ...target, args, pod, env, configFile, config };
  } catch (err) {
    const message = (err as Error).message.replaceAll(join(dir, basename(args.configPath ?? '')), `${args.configPath ?? ''} (${configFile?.source ?? ''})`);
    return fail(message, err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
