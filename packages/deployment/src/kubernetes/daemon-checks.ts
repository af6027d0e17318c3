import type { IContainer, IProbe } from 'kubernetes-models/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { environmentVariableOf, type ConfigKey } from '@rivulet/common';
import { resolveDaemon, rivuletContainers, type ResolvedDaemon } from './daemon-containers.js';
import { describeObject, type KubernetesObject } from './manifest.js';
import { DAEMONS } from './rivulet-daemons.js';
import { selectorMatches, type LabelSelector } from './workloads.js';

/** Time the kubelet must leave beyond the daemon's own bound before it sends SIGKILL. */
export const GRACE_MARGIN_MS = 2000;
const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
const EVERY_INTERFACE = new Set(['0.0.0.0', '::']);
/** Keys every daemon of one cluster must agree on, or TaskManagers would not find the leader or its checkpoints. */
const SHARED_KEYS: readonly ConfigKey[] = [
  'high-availability.type',
  'high-availability.cluster-id',
  'high-availability.etcd.endpoints',
  'execution.checkpointing.dir',
  's3.endpoint',
];

/** The port number a probe or Service names: a number, or the name of one of the container's ports. */
export function containerPortNumber(container: IContainer, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function checkPorts(daemon: ResolvedDaemon): string[] {
  const endpoints = DAEMONS[daemon.args.daemon];
  const problems: string[] = [];
  const wanted = new Map(endpoints.portKeys.map((key) => [daemon.config[key] as number, key]));
  for (const key of endpoints.portKeys) {
    const port = daemon.config[key] as number;
    if (port === 0) problems.push(`${daemon.where}: ${key} is 0 (any free port); a pod needs a fixed port for its probes and Services`);
    else if (!daemon.container.ports?.some((p) => p.containerPort === port)) {
      problems.push(`${daemon.where}: the ${endpoints.title} listens on ${key} = ${port}, which the container does not declare in ports`);
    }
  }
  for (const declared of daemon.container.ports ?? []) {
    if (!wanted.has(declared.containerPort)) {
      problems.push(`${daemon.where}: declares port ${declared.name ?? ''} ${declared.containerPort}, on which the ${endpoints.title} does not listen (${endpoints.portKeys.map((k) => `${k} = ${String(daemon.config[k])}`).join(', ')})`);
    }
  }
  return problems;
}

function checkProbe(daemon: ResolvedDaemon, kind: 'liveness' | 'readiness' | 'startup', probe: IProbe | undefined, path: string): string[] {
  const endpoints = DAEMONS[daemon.args.daemon];
  if (!probe) return kind === 'startup' ? [] : [`${daemon.where}: has no ${kind} probe (expected GET ${path} on ${endpoints.httpPortKey})`];
  const httpGet = probe.httpGet;
  if (!httpGet) return [`${daemon.where}: the ${kind} probe is not an httpGet of ${path}`];
  const problems: string[] = [];
  if (httpGet.path !== path) {
    problems.push(`${daemon.where}: the ${kind} probe asks ${httpGet.path ?? '/'}, but the ${endpoints.title}'s ${kind} endpoint is ${path}`);
  }
  const port = containerPortNumber(daemon.container, httpGet.port);
  const httpPort = daemon.config[endpoints.httpPortKey] as number;
  if (port === undefined) problems.push(`${daemon.where}: the ${kind} probe names port "${String(httpGet.port)}", which the container does not declare`);
  else if (port !== httpPort) problems.push(`${daemon.where}: the ${kind} probe asks port ${port}, but ${endpoints.httpPortKey} is ${httpPort}`);
  if (httpGet.scheme !== undefined && httpGet.scheme !== 'HTTP') problems.push(`${daemon.where}: the ${kind} probe uses ${httpGet.scheme}; the daemons serve plain HTTP`);
  return problems;
}

function checkProbes(daemon: ResolvedDaemon): string[] {
  const endpoints = DAEMONS[daemon.args.daemon];
  return [
    ...checkProbe(daemon, 'liveness', daemon.container.livenessProbe, endpoints.livenessPath),
    ...checkProbe(daemon, 'readiness', daemon.container.readinessProbe, endpoints.readinessPath),
    ...checkProbe(daemon, 'startup', daemon.container.startupProbe, endpoints.livenessPath),
  ];
}

function checkAddresses(daemon: ResolvedDaemon): string[] {
  const endpoints = DAEMONS[daemon.args.daemon];
  const problems: string[] = [];
  for (const key of endpoints.bindKeys) {
    const host = String(daemon.config[key]);
    if (!EVERY_INTERFACE.has(host)) problems.push(`${daemon.where}: ${key} is ${host}; in a pod it must be 0.0.0.0 (every interface), or other pods cannot connect`);
  }
  for (const key of endpoints.advertisedKeys) {
    const address = daemon.config[key];
    if (address !== daemon.pod.podIP) {
      problems.push(`${daemon.where}: ${key} resolves to ${String(address)}, not the pod's IP: set it from status.podIP (env ${environmentVariableOf(key)} with fieldRef)`);
    }
  }
  return problems;
}

function checkGracePeriod(daemon: ResolvedDaemon): string[] {
  const seconds = daemon.template.template.spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
  const stopMs = daemon.config['cluster.services.shutdown-timeout'];
  if (seconds * 1000 >= stopMs + GRACE_MARGIN_MS) return [];
  return [
    `${daemon.where}: terminationGracePeriodSeconds ${seconds} s is shorter than cluster.services.shutdown-timeout (${stopMs} ms) + ${GRACE_MARGIN_MS} ms: the kubelet would SIGKILL a daemon still stopping gracefully`,
  ];
}

function checkScrapeAnnotations(daemon: ResolvedDaemon): string[] {
  const endpoints = DAEMONS[daemon.args.daemon];
  const annotations = daemon.template.template.metadata?.annotations ?? {};
  const expected: Record<string, string> = {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(daemon.config[endpoints.httpPortKey]),
    'prometheus.io/path': endpoints.metricsPath,
  };
  return Object.entries(expected)
    .filter(([name, value]) => annotations[name] !== value)
    .map(([name, value]) => `${daemon.where}: pod annotation ${name} is ${annotations[name] === undefined ? 'missing' : `"${annotations[name]}"`}, expected "${value}" (${endpoints.title} metrics)`);
}

/** JobManagers with standbys: HA on, a rollout that does not wait for standbys to become ready, no budget that blocks the leader. */
function checkJobManagerHighAvailability(objects: readonly KubernetesObject[], daemon: ResolvedDaemon): string[] {
  if (daemon.args.daemon !== 'jobmanager' || daemon.template.replicas < 2) return [];
  const problems: string[] = [];
  const owner = daemon.template.owner;
  if (daemon.config['high-availability.type'] !== 'etcd') {
    problems.push(`${daemon.where}: ${daemon.template.replicas} JobManagers without high-availability.type etcd would each act as leader`);
  }
  const strategy = (owner['spec'] as { strategy?: { type?: string } } | undefined)?.strategy?.type ?? 'RollingUpdate';
  if (owner.kind === 'Deployment' && strategy !== 'Recreate') {
    problems.push(`${daemon.template.ownerName}: strategy ${strategy} would wait forever for new JobManagers to become ready while an old one leads (a standby is never ready); use Recreate`);
  }
  const labels = daemon.template.template.metadata?.labels;
  for (const budget of objects.filter((o) => o.kind === 'PodDisruptionBudget') as unknown as IPodDisruptionBudget[]) {
    const selector = budget.spec?.selector as LabelSelector | undefined;
    if (selector && selectorMatches(selector, labels)) {
      problems.push(`${describeObject(budget as unknown as KubernetesObject)}: selects the JobManagers; a standby is never ready, so it would block evicting the leader`);
    }
  }
  return problems;
}

function checkSharedSettings(daemons: readonly ResolvedDaemon[]): string[] {
  const [first, ...others] = daemons;
  if (!first) return [];
  const problems: string[] = [];
  for (const key of SHARED_KEYS) {
    const value = JSON.stringify(first.config[key]);
    for (const other of others) {
      if (JSON.stringify(other.config[key]) !== value) {
        problems.push(`${other.where}: ${key} is ${JSON.stringify(other.config[key])}, but ${first.where} has ${value}; every daemon of the cluster needs the same`);
      }
    }
  }
  return problems;
}

/**
 * Checks every container of the Rivulet image against what its daemon
 * serves: its configuration resolves (the daemons' own validation), its ports,
 * probes, addresses, scrape annotations and grace period match it, and the
 * JobManagers' high availability holds together.
 */
export function checkRivuletDaemons(objects: readonly KubernetesObject[]): string[] {
  const containers = rivuletContainers(objects);
  if (containers.length === 0) return ['no container runs the rivulet image'];
  const problems: string[] = [];
  const resolved: ResolvedDaemon[] = [];
  for (const target of containers) {
    try {
      resolved.push(resolveDaemon(objects, target));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  for (const daemon of resolved) {
    problems.push(
      ...checkPorts(daemon),
      ...checkProbes(daemon),
      ...checkAddresses(daemon),
      ...checkGracePeriod(daemon),
      ...checkScrapeAnnotations(daemon),
      ...checkJobManagerHighAvailability(objects, daemon),
    );
  }
  // A daemon whose container did not resolve is reported above; only a missing one is reported here.
  for (const command of ['jobmanager', 'taskmanager'] as const) {
    if (resolved.length === containers.length && !resolved.some((daemon) => daemon.args.daemon === command)) {
      problems.push(`no container runs the ${DAEMONS[command].title} (rivulet ${command})`);
    }
  }
  problems.push(...checkSharedSettings(resolved));
  return problems;
}
