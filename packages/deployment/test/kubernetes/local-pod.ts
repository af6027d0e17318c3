import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { IProbe } from 'kubernetes-models/v1';
import { environmentVariableOf, type ConfigKey } from '@rivulet/common';
import { DaemonProcess, freePort, settingsEnvironment } from '@rivulet/testing';
import {
  DAEMONS,
  containerPortNumber,
  resolveDaemon,
  samplePod,
  type KubernetesObject,
  type ResolvedDaemon,
  type RivuletContainer,
} from '../../src/kubernetes/index.js';

/**
 * A container of the manifests run as a local process, the way a node would
 * run it: the same arguments, the mounted config file, the environment the
 * kubelet would build (pod IP 127.0.0.1, the pod's name). What differs, and
 * only through RIVULET_* variables (which beat the file): every port is a
 * free local port, etcd and S3 are the test's servers (with the exceptions
 * the S3 stand-in needs), and emptyDir and
 * Secret volumes are folders of the test (a Secret's keys as its files).
 */
export interface LocalPod {
  readonly name: string;
  readonly process: DaemonProcess;
  /** The configuration the process started with (overrides included). */
  readonly resolved: ResolvedDaemon;
  /** The local port behind a container port (its number or name). */
  localPort(port: number | string): number;
  /** GET `path` on the local port behind a container port. */
  get(port: number | string, path: string): Promise<{ status: number; text: string }>;
  /** Runs the container's probe of `kind` once; its HTTP status. */
  probe(kind: 'liveness' | 'readiness' | 'startup'): Promise<number>;
}

export interface LocalServers {
  readonly etcdEndpoint: string;
  readonly s3Endpoint: string;
  readonly s3AccessKey: string;
  readonly s3SecretKey: string;
  /** Settings the S3 stand-in needs besides endpoint and credentials, `key=value` (s3rver's: @rivulet/testing's s3rverChecksumSettings()). */
  readonly s3Exceptions: readonly string[];
}

/** Writes each key of the Secret `name` as a file of `dir`, as a secret volume holds them. */
function writeSecretVolume(objects: readonly KubernetesObject[], name: string, dir: string): void {
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name) as (KubernetesObject & { data?: Record<string, string> }) | undefined;
  if (secret === undefined) throw new Error(`no Secret ${name} among the rendered objects`);
  for (const [key, value] of Object.entries(secret.data ?? {})) writeFileSync(join(dir, key), Buffer.from(value, 'base64'), { mode: 0o400 });
}

export async function startLocalPod(
  objects: readonly KubernetesObject[],
  target: RivuletContainer,
  options: { index: number; servers: LocalServers; workDir: string },
): Promise<LocalPod> {
  const pod = { ...samplePod(target.template, options.index), podIP: '127.0.0.1' };
  const podDir = join(options.workDir, pod.podName);
  const asDeclared = resolveDaemon(objects, target, { pod });
  const endpoints = DAEMONS[asDeclared.args.daemon];
  const overrides: Record<string, string> = {
    [environmentVariableOf('high-availability.etcd.endpoints')]: options.servers.etcdEndpoint,
    [environmentVariableOf('s3.endpoint')]: options.servers.s3Endpoint,
    [environmentVariableOf('s3.access-key')]: options.servers.s3AccessKey,
    [environmentVariableOf('s3.secret-key')]: options.servers.s3SecretKey,
    ...settingsEnvironment(options.servers.s3Exceptions),
  };
  const localPorts = new Map<number, number>();
  for (const key of endpoints.portKeys) {
    const local = await freePort();
    localPorts.set(asDeclared.config[key] as number, local);
    overrides[environmentVariableOf(key)] = String(local);
  }
  // emptyDir volumes become folders of the test, Secret volumes folders of the
  // Secret's keys (as the kubelet writes them); settings that point into them follow.
  const processEnv: Record<string, string> = {};
  for (const mount of target.container.volumeMounts ?? []) {
    const volume = target.template.template.spec?.volumes?.find((v) => v.name === mount.name);
    if (!volume?.emptyDir && !volume?.secret) continue;
    const local = join(podDir, 'volumes', volume.name);
    mkdirSync(local, { recursive: true });
    if (volume.secret) writeSecretVolume(objects, volume.secret.secretName ?? '', local);
    if (mount.mountPath === '/tmp') processEnv['TMPDIR'] = local;
    for (const [key, value] of Object.entries(asDeclared.config)) {
      if (typeof value === 'string' && (value === mount.mountPath || value.startsWith(`${mount.mountPath}/`))) {
        overrides[environmentVariableOf(key as ConfigKey)] = local + value.slice(mount.mountPath.length);
      }
    }
  }
  const resolved = resolveDaemon(objects, target, { pod, extraEnv: overrides });
  const args = [...(target.container.command ?? []), ...(target.container.args ?? [])];
  if (resolved.args.configPath !== undefined) {
    const configDir = join(podDir, 'config');
    mkdirSync(configDir, { recursive: true });
    const localConfig = join(configDir, basename(resolved.args.configPath));
    writeFileSync(localConfig, resolved.configFile?.text ?? '');
    const at = args.indexOf(resolved.args.configPath);
    if (at === -1) throw new Error(`${target.where}: write --config as a separate argument to run it locally`);
    args[at] = localConfig;
  }
  const { daemon } = await DaemonProcess.start(pod.podName, args, {
    readyMessage: endpoints.readyLogMessage,
    env: { ...resolved.env, ...processEnv },
  });

  const localPort = (port: number | string): number => {
    const declared = containerPortNumber(target.container, port);
    const local = declared === undefined ? undefined : localPorts.get(declared);
    if (local === undefined) throw new Error(`${target.where}: no local port for container port ${String(port)}`);
    return local;
  };
  const get = async (port: number | string, path: string): Promise<{ status: number; text: string }> => {
    const response = await fetch(`http://127.0.0.1:${localPort(port)}${path}`, { signal: AbortSignal.timeout(2000) });
    return { status: response.status, text: await response.text() };
  };
  const probes: Record<'liveness' | 'readiness' | 'startup', IProbe | undefined> = {
    liveness: target.container.livenessProbe,
    readiness: target.container.readinessProbe,
    startup: target.container.startupProbe,
  };
  return {
    name: pod.podName,
    process: daemon,
    resolved,
    localPort,
    get,
    probe: async (kind) => {
      const httpGet = probes[kind]?.httpGet;
      if (!httpGet) throw new Error(`${target.where} has no ${kind} httpGet probe`);
      return (await get(httpGet.port, httpGet.path ?? '/')).status;
    },
  };
}
