import { parseAllDocuments } from 'yaml';

/** One object of a rendered manifest, before it is known to be valid. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** `Kind/name`, as kubectl names an object. */
export function describeObject(object: Pick<KubernetesObject, 'kind' | 'metadata'>): string {
  return `${object.kind}/${object.metadata.name}`;
}

/**
 * Parses a multi-document YAML stream (kustomize's output) into objects.
 * Throws, naming `source` and the document, on YAML errors and on documents
 * that are not objects with apiVersion, kind and metadata.name.
 */
export function parseManifests(text: string, source: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(`${source}: document ${index + 1} is not valid YAML: ${document.errors[0]?.message ?? ''}`);
    }
    const value: unknown = document.toJSON();
    if (value === null || value === undefined) return; // an empty document
    objects.push(checkedObject(value, `${source}: document ${index + 1}`));
  });
  return objects;
}

function checkedObject(value: unknown, where: string): KubernetesObject {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    throw new Error(`${where} is not a Kubernetes object (a mapping)`);
  }
  const record = value as Record<string, unknown>;
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') throw new Error(`${where} has no ${field}`);
  }
  const metadata = record['metadata'] as Record<string, unknown> | undefined;
  if (typeof metadata?.['name'] !== 'string' || metadata['name'] === '') {
    throw new Error(`${where} (${String(record['kind'])}) has no metadata.name`);
  }
  return value as KubernetesObject;
}
