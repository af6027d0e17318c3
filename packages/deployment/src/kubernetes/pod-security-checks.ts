import { imageBaseName } from './daemon-containers.js';
import type { KubernetesObject } from './manifest.js';
import { containersOf, podTemplatesOf } from './workloads.js';

/**
 * Every container runs as a numeric non-root user without privilege
 * escalation, has CPU and memory requests and a memory limit, and names a
 * pinned image (a tag other than `latest`, or a digest; the Rivulet image is
 * exempt: its tag is set through kustomize `images:`).
 */
export function checkPodSecurity(objects: readonly KubernetesObject[], rivuletImage = 'rivulet'): string[] {
  const problems: string[] = [];
  for (const template of podTemplatesOf(objects)) {
    const pod = template.template.spec?.securityContext;
    for (const container of containersOf(template.template)) {
      const where = `${template.ownerName} container ${container.name}`;
      const own = container.securityContext;
      const nonRoot = own?.runAsNonRoot ?? pod?.runAsNonRoot;
      const user = own?.runAsUser ?? pod?.runAsUser;
      // runAsNonRoot alone fails at start for an image whose USER is a name, not a number.
      if (nonRoot !== true || user === undefined || user === 0) problems.push(`${where}: must set runAsNonRoot: true and a non-zero numeric runAsUser`);
      if (own?.allowPrivilegeEscalation !== false) problems.push(`${where}: must set allowPrivilegeEscalation: false`);
      const resources = container.resources;
      for (const [field, value] of [['requests.cpu', resources?.requests?.['cpu']], ['requests.memory', resources?.requests?.['memory']], ['limits.memory', resources?.limits?.['memory']]] as const) {
        if (value === undefined) problems.push(`${where}: has no resources.${field}`);
      }
      const image = container.image ?? '';
      const tagged = image.includes('@') || /:[^/]+$/.test(image);
      if (!tagged) problems.push(`${where}: image "${image}" has no tag`);
      else if (image.endsWith(':latest') && imageBaseName(image) !== rivuletImage) problems.push(`${where}: image "${image}" is not pinned (latest)`);
    }
  }
  return problems;
}
