import type { IContainer, IPodTemplateSpec } from 'kubernetes-models/v1';
import { describeObject, type KubernetesObject } from './manifest.js';

/** A pod template and the object that owns it (Deployment, StatefulSet, …). */
export interface PodTemplate {
  readonly owner: KubernetesObject;
  /** `Deployment/rivulet-jobmanager`. */
  readonly ownerName: string;
  readonly template: IPodTemplateSpec;
  /** Pods it runs at once: `spec.replicas` (default 1), 1 for a Job. */
  readonly replicas: number;
  /** `spec.selector` of the owner, when it has one (a Job's is generated). */
  readonly selector?: LabelSelector;
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: string[] }[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** Every pod template of the objects (CronJobs' included). Call with schema-valid objects. */
export function podTemplatesOf(objects: readonly KubernetesObject[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const object of objects) {
    const spec = object['spec'] as Record<string, unknown> | undefined;
    if (WORKLOAD_KINDS.has(object.kind) && spec?.['template']) {
      templates.push({
        owner: object,
        ownerName: describeObject(object),
        template: spec['template'] as IPodTemplateSpec,
        replicas: object.kind === 'Job' ? 1 : ((spec['replicas'] as number | undefined) ?? 1),
        ...(spec['selector'] ? { selector: spec['selector'] as LabelSelector } : {}),
      });
    } else if (object.kind === 'CronJob') {
      const jobTemplate = spec?.['jobTemplate'] as { spec?: { template?: IPodTemplateSpec } } | undefined;
      if (jobTemplate?.spec?.template) {
        templates.push({ owner: object, ownerName: describeObject(object), template: jobTemplate.spec.template, replicas: 1 });
      }
    }
  }
  return templates;
}

/** The containers of a pod template, init containers first. */
export function containersOf(template: IPodTemplateSpec): IContainer[] {
  return [...(template.spec?.initContainers ?? []), ...(template.spec?.containers ?? [])];
}

/** Whether `labels` satisfy `selector` (matchLabels and matchExpressions, as the API server does). */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const value = have[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's selector (a plain label map) as a LabelSelector. */
export function serviceSelector(selector: Readonly<Record<string, string>>): LabelSelector {
  return { matchLabels: selector };
}
