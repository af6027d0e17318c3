import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1';
import { CREATE_CERTIFICATES_SCRIPT, REPO_ROOT } from '@rivulet/testing';
import { podTemplatesOf, renderKustomization, type KubernetesObject, type PodTemplate } from '../../src/kubernetes/index.js';

let prepared: string | undefined;

/**
 * deploy/kubernetes of this repository, copied once per test process into a
 * temporary folder where the dev overlay's tls/ is made as docs/kubernetes.md
 * says (deploy/certs/create-certificates.sh … rivulet): the overlay's Secrets
 * are generated from those files, which are never committed. Whatever a
 * developer made in the repository's own tls/ is left out of the copy.
 */
function manifestsRoot(): string {
  if (prepared === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-k8s-manifests-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const source = join(REPO_ROOT, 'deploy', 'kubernetes');
    const devTls = join(source, 'overlays', 'dev', 'tls') + sep;
    const certManagerToken = join(source, 'overlays', 'cert-manager', 'client-token');
    cpSync(source, join(dir, 'kubernetes'), {
      recursive: true,
      filter: (path) => (!path.startsWith(devTls) || path.endsWith('.gitignore')) && path !== certManagerToken,
    });
    execFileSync('sh', [CREATE_CERTIFICATES_SCRIPT, join(dir, 'kubernetes', 'overlays', 'dev', 'tls'), 'rivulet'], { stdio: 'pipe' });
    cpSync(join(dir, 'kubernetes', 'overlays', 'dev', 'tls', 'client-token'), join(dir, 'kubernetes', 'overlays', 'cert-manager', 'client-token'));
    prepared = join(dir, 'kubernetes');
  }
  return prepared;
}

/** deploy/kubernetes/<dir> as rendered by the tests (see manifestsRoot). */
export function kustomizationDir(dir: 'base' | 'overlays/dev' | 'overlays/cert-manager'): string {
  return join(manifestsRoot(), dir);
}

const rendered = new Map<string, Promise<KubernetesObject[]>>();

/** The rendered objects of a kustomization, rendered once per test process; callers get their own copy. */
export async function render(dir: 'base' | 'overlays/dev' | 'overlays/cert-manager'): Promise<KubernetesObject[]> {
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
