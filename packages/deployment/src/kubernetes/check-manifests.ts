import { checkApiSchemas } from './api-schema.js';
import { checkRivuletDaemons } from './daemon-checks.js';
import type { KubernetesObject } from './manifest.js';
import { checkPodSecurity } from './pod-security-checks.js';
import { checkWiring } from './wiring-checks.js';

/**
 * Every check of rendered Rivulet manifests; an empty list means none found
 * a problem. The API schema check comes first: the others read the objects
 * through their schema types, so they run only on objects that passed it.
 */
export async function checkManifests(objects: readonly KubernetesObject[]): Promise<string[]> {
  const schemaProblems = await checkApiSchemas(objects);
  if (schemaProblems.length > 0) return schemaProblems;
  return [...checkWiring(objects), ...checkPodSecurity(objects), ...checkRivuletDaemons(objects)];
}
