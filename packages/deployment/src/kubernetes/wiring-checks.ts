import type { IService } from 'kubernetes-models/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { containerEnvironment } from './container-environment.js';
import { containerPortNumber } from './daemon-checks.js';
import { describeObject, type KubernetesObject } from './manifest.js';
import { containersOf, podTemplatesOf, selectorMatches, serviceSelector, type LabelSelector, type PodTemplate } from './workloads.js';

function checkWorkloadSelectors(templates: readonly PodTemplate[]): string[] {
  return templates
    .filter((t) => t.selector !== undefined && !selectorMatches(t.selector, t.template.metadata?.labels))
    .map((t) => `${t.ownerName}: spec.selector ${JSON.stringify(t.selector)} does not match its pod template's labels ${JSON.stringify(t.template.metadata?.labels ?? {})}`);
}

function selected(templates: readonly PodTemplate[], selector: LabelSelector, namespace: string): PodTemplate[] {
  return templates.filter(
    (t) => (t.owner.metadata.namespace ?? 'default') === namespace && selectorMatches(selector, t.template.metadata?.labels),
  );
}

/** A Service selects pods, and each port's target is a port of every selected pod. */
function checkServices(objects: readonly KubernetesObject[], templates: readonly PodTemplate[]): string[] {
  const problems: string[] = [];
  for (const object of objects.filter((o) => o.kind === 'Service')) {
    const name = describeObject(object);
    const spec = (object as unknown as IService).spec;
    if (!spec?.selector) continue; // endpoints managed by someone else
    const pods = selected(templates, serviceSelector(spec.selector), object.metadata.namespace ?? 'default');
    if (pods.length === 0) {
      problems.push(`${name}: selector ${JSON.stringify(spec.selector)} selects no pod template`);
      continue;
    }
    for (const port of spec.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const pod of pods) {
        const served = containersOf(pod.template).some((container) => {
          const number = containerPortNumber(container, target);
          return number !== undefined && (typeof target === 'string' || container.ports?.some((p) => p.containerPort === number));
        });
        if (!served) problems.push(`${name}: port ${port.name ?? port.port} targets ${String(target)}, which no container of ${pod.ownerName} declares`);
      }
    }
  }
  return problems;
}

function checkDisruptionBudgets(objects: readonly KubernetesObject[], templates: readonly PodTemplate[]): string[] {
  return (objects.filter((o) => o.kind === 'PodDisruptionBudget') as unknown as IPodDisruptionBudget[])
    .filter((budget) => {
      const selector = budget.spec?.selector as LabelSelector | undefined;
      return !selector || selected(templates, selector, budget.metadata?.namespace ?? 'default').length === 0;
    })
    .map((budget) => `${describeObject(budget as unknown as KubernetesObject)}: selector ${JSON.stringify(budget.spec?.selector ?? null)} selects no pod template`);
}

/** Volumes and environment refer to ConfigMaps and Secrets that the objects hold. */
function checkReferences(objects: readonly KubernetesObject[], templates: readonly PodTemplate[]): string[] {
  const problems: string[] = [];
  for (const template of templates) {
    const namespace = template.owner.metadata.namespace ?? 'default';
    for (const volume of template.template.spec?.volumes ?? []) {
      const ref = volume.configMap
        ? { kind: 'ConfigMap', name: volume.configMap.name ?? '', optional: volume.configMap.optional }
        : volume.secret
          ? { kind: 'Secret', name: volume.secret.secretName ?? '', optional: volume.secret.optional }
          : undefined;
      if (!ref || ref.optional) continue;
      if (!objects.some((o) => o.kind === ref.kind && o.metadata.name === ref.name && (o.metadata.namespace ?? namespace) === namespace)) {
        problems.push(`${template.ownerName}: volume ${volume.name} mounts ${ref.kind} ${ref.name}, which the manifests do not create`);
      }
    }
    for (const container of containersOf(template.template)) {
      problems.push(...containerEnvironment(objects, template, container).problems);
    }
  }
  return problems;
}

/** Selectors match their pods, Services target declared ports, references resolve. */
export function checkWiring(objects: readonly KubernetesObject[]): string[] {
  const templates = podTemplatesOf(objects);
  return [
    ...checkWorkloadSelectors(templates),
    ...checkServices(objects, templates),
    ...checkDisruptionBudgets(objects, templates),
    ...checkReferences(objects, templates),
  ];
}
