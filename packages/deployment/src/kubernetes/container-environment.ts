import type { IContainer, IService } from 'kubernetes-models/v1';
import type { KubernetesObject } from './manifest.js';
import type { PodTemplate } from './workloads.js';

/** What a running pod would know about itself; the downward API reads these. */
export interface PodSample {
  readonly podName: string;
  readonly podIP: string;
  readonly namespace: string;
  readonly nodeName: string;
  readonly hostIP: string;
}

/** The environment of one container as the kubelet would build it, with the problems found on the way. */
export interface ContainerEnvironment {
  readonly env: Readonly<Record<string, string>>;
  readonly problems: readonly string[];
}

/** A pod of `template`, with sample values for its name and addresses. */
export function samplePod(template: PodTemplate, index = 0): PodSample {
  return {
    podName: `${template.owner.metadata.name}-sample-${index}`,
    podIP: `10.244.0.${10 + index}`,
    namespace: template.owner.metadata.namespace ?? 'default',
    nodeName: 'node-1',
    hostIP: '192.0.2.1',
  };
}

function fieldValue(fieldPath: string, pod: PodSample, template: PodTemplate): string | undefined {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(fieldPath);
  if (labelOrAnnotation) {
    const map = labelOrAnnotation[1] === 'labels' ? template.template.metadata?.labels : template.template.metadata?.annotations;
    return map?.[labelOrAnnotation[2] ?? ''] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name': return pod.podName;
    case 'metadata.namespace': return pod.namespace;
    case 'spec.nodeName': return pod.nodeName;
    case 'spec.serviceAccountName': return template.template.spec?.serviceAccountName ?? 'default';
    case 'status.podIP': case 'status.podIPs': return pod.podIP;
    case 'status.hostIP': case 'status.hostIPs': return pod.hostIP;
    default: return undefined;
  }
}

function findObject(objects: readonly KubernetesObject[], kind: 'Secret' | 'ConfigMap', name: string, namespace: string): KubernetesObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? namespace) === namespace);
}

/** The entries of a ConfigMap or Secret as text (Secret data is base64). */
export function dataOf(object: KubernetesObject): Record<string, string> {
  const entries: Record<string, string> = {};
  const data = (object['data'] ?? {}) as Record<string, string>;
  for (const [key, value] of Object.entries(data)) {
    entries[key] = object.kind === 'Secret' ? Buffer.from(value, 'base64').toString('utf8') : value;
  }
  if (object.kind === 'Secret') Object.assign(entries, (object['stringData'] ?? {}) as Record<string, string>);
  return entries;
}

/** `$(NAME)` refers to a variable defined before; `$$` is a literal `$` (the kubelet's rule). */
function expand(value: string, defined: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && name in defined ? (defined[name] ?? '') : match;
  });
}

/**
 * The variables the kubelet adds for each Service with a cluster IP in the
 * pod's namespace, unless the pod sets `enableServiceLinks: false`
 * (`RIVULET_JOBMANAGER_SERVICE_HOST`, `…_PORT_8081_TCP`, …).
 */
export function serviceLinkVariables(objects: readonly KubernetesObject[], namespace: string): Record<string, string> {
  const variables: Record<string, string> = {};
  let ip = 1;
  for (const object of objects) {
    if (object.kind !== 'Service' || (object.metadata.namespace ?? namespace) !== namespace) continue;
    const spec = (object as unknown as IService).spec;
    if (spec?.clusterIP === 'None' || spec?.type === 'ExternalName') continue;
    const host = `10.96.0.${ip++}`;
    const prefix = object.metadata.name.toUpperCase().replaceAll('-', '_');
    const ports = spec?.ports ?? [];
    variables[`${prefix}_SERVICE_HOST`] = host;
    const first = ports[0];
    if (first) {
      variables[`${prefix}_SERVICE_PORT`] = String(first.port);
      variables[`${prefix}_PORT`] = `${(first.protocol ?? 'TCP').toLowerCase()}://${host}:${first.port}`;
    }
    for (const port of ports) {
      const protocol = port.protocol ?? 'TCP';
      const base = `${prefix}_PORT_${port.port}_${protocol}`;
      if (port.name) variables[`${prefix}_SERVICE_PORT_${port.name.toUpperCase().replaceAll('-', '_')}`] = String(port.port);
      variables[base] = `${protocol.toLowerCase()}://${host}:${port.port}`;
      variables[`${base}_PROTO`] = protocol.toLowerCase();
      variables[`${base}_PORT`] = String(port.port);
      variables[`${base}_ADDR`] = host;
    }
  }
  return variables;
}

/**
 * The environment `container` of `template` starts with: `envFrom`, then
 * `env` (with `$(VAR)` expanded, the downward API answered from `pod`, Secret
 * and ConfigMap references read from the rendered objects), then the Service
 * link variables for names not set yet. A reference to a Secret, ConfigMap or
 * key the objects do not hold is a problem unless marked optional.
 */
export function containerEnvironment(
  objects: readonly KubernetesObject[],
  template: PodTemplate,
  container: IContainer,
  pod: PodSample = samplePod(template),
): ContainerEnvironment {
  const where = `${template.ownerName} container ${container.name}`;
  const problems: string[] = [];
  const env: Record<string, string> = {};
  const referenced = (kind: 'Secret' | 'ConfigMap', name: string, optional: boolean | undefined): Record<string, string> | undefined => {
    const object = findObject(objects, kind, name, pod.namespace);
    if (!object && !optional) problems.push(`${where}: refers to ${kind} ${name}, which the manifests do not create`);
    return object ? dataOf(object) : undefined;
  };
  for (const source of container.envFrom ?? []) {
    const ref = source.secretRef ?? source.configMapRef;
    const kind = source.secretRef ? 'Secret' : 'ConfigMap';
    const data = ref ? referenced(kind, ref.name ?? '', ref.optional) : undefined;
    for (const [key, value] of Object.entries(data ?? {})) env[`${source.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!from) {
      env[variable.name] = expand(variable.value ?? '', env);
      continue;
    }
    const keyRef = from.secretKeyRef ?? from.configMapKeyRef;
    if (keyRef) {
      const kind = from.secretKeyRef ? 'Secret' : 'ConfigMap';
      const data = referenced(kind, keyRef.name ?? '', keyRef.optional);
      const value = data?.[keyRef.key];
      if (value !== undefined) env[variable.name] = value;
      else if (data && !keyRef.optional) problems.push(`${where}: ${variable.name} refers to key "${keyRef.key}" of ${kind} ${keyRef.name ?? ''}, which has no such key`);
      continue;
    }
    if (from.fieldRef) {
      const value = fieldValue(from.fieldRef.fieldPath, pod, template);
      if (value === undefined) problems.push(`${where}: ${variable.name} uses fieldRef ${from.fieldRef.fieldPath}, which this check cannot answer`);
      else env[variable.name] = value;
      continue;
    }
    problems.push(`${where}: ${variable.name} uses a valueFrom this check cannot answer (resourceFieldRef or other)`);
  }
  if (template.template.spec?.enableServiceLinks !== false) {
    for (const [name, value] of Object.entries(serviceLinkVariables(objects, pod.namespace))) {
      if (!(name in env)) env[name] = value;
    }
  }
  return { env, problems };
}
