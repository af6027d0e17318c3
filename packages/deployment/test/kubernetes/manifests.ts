import { join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1';
import { REPO_ROOT } from '@rivulet/testing';
import { podTemplatesOf, renderKustomization, type KubernetesObject, type PodTemplate } from '../../src/kubernetes/index.js';

/** deploy/kubernetes/<dir> of this repository. */
export function kustomizationDir(dir: 'base' | 'overlays/dev'): string {
  return join(REPO_ROOT, 'deploy', 'kubernetes', dir);
}

const rendered = new Map<string, Promise<KubernetesObject[]>>();

/** The rendered objects of a kustomization, rendered once per test process; callers get their own copy. */
export async function render(dir: 'base' | 'overlays/dev'): Promise<KubernetesObject[]> {
  let objects = rendered.get(dir);
  if (!objects) {
    objects = renderKustomization(kustomizationDir(dir));
    rendered.set(dir, objects);
  }
  return structuredClone(await objects);
}

/** The object `kind/name`; a generated ConfigMap or Secret also by its name without the content hash. */
export function objectNamed<T = KubernetesObject>(objects: readonly KubernetesObject[], kind: string, name: string): T {
  const hashed = new RegExp(`^${name}-[a-z0-9]{10}$`);
  const generated = kind === 'ConfigMap' || kind === 'Secret';
  const found = objects.filter((o) => o.kind === kind && (o.metadata.name === name || (generated && hashed.test(o.metadata.name))));
  if (found.length !== 1) throw new Error(`expected one ${kind} named ${name}, found ${found.length}`);
  return found[0] as T;
}

/** The pod template owned by `kind/name`. */
export function templateOf(objects: readonly KubernetesObject[], kind: string, name: string): PodTemplate {
  const template = podTemplatesOf(objects).find((t) => t.owner.kind === kind && t.owner.metadata.name === name);
  if (!template) throw new Error(`no pod template owned by ${kind}/${name}`);
  return template;
}

/** The container `name` of `kind/owner`'s pod template. */
export function containerOf(objects: readonly KubernetesObject[], kind: string, owner: string, name: string): IContainer {
  const container = templateOf(objects, kind, owner).template.spec?.containers.find((c) => c.name === name);
  if (!container) throw new Error(`no container ${name} in ${kind}/${owner}`);
  return container;
}
