import { describeObject, type KubernetesObject } from './manifest.js';

/** A kubernetes-models class: `new Model(data).validate()` checks data against the API schema. */
interface ModelClass {
  new (data: unknown): { validate(): void };
  readonly apiVersion?: string;
  readonly kind?: string;
}

interface SchemaError {
  readonly instancePath: string;
  readonly message?: string;
}

// `v1`, `apps/v1`, `policy/v1`, `networking.k8s.io/v1beta1`: also a safe module path.
const API_VERSION = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v\d+(?:(?:alpha|beta)\d+)?$/;

/**
 * The kubernetes-models class of `apiVersion`/`kind`. Its modules are named
 * after the API group and version (`kubernetes-models/apps/v1`), and each
 * exports one class per kind. Throws, naming both, when there is none: a
 * kind this schema set does not know is an error, not a pass.
 */
export async function modelOf(apiVersion: string, kind: string): Promise<ModelClass> {
  if (!API_VERSION.test(apiVersion)) throw new Error(`apiVersion "${apiVersion}" is not a Kubernetes API group/version`);
  let module: Record<string, unknown>;
  try {
    module = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
  } catch {
    throw new Error(`no Kubernetes API schema for apiVersion "${apiVersion}" (kind ${kind})`);
  }
  const model = module[kind] as ModelClass | undefined;
  // Kinds are the classes with a static kind; spec types (DeploymentSpec) have none.
  if (typeof model !== 'function' || model.kind !== kind || model.apiVersion !== apiVersion) {
    throw new Error(`no Kubernetes API schema for kind "${kind}" in apiVersion "${apiVersion}"`);
  }
  return model;
}

function schemaErrors(model: ModelClass, data: unknown): SchemaError[] {
  try {
    new model(data).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) throw err;
    return errors;
  }
}

function pointer(path: readonly (string | number)[]): string {
  return path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** A value of no JSON type: every field the schema types refuses it. */
const NOT_JSON = (): void => undefined;

/**
 * The fields of `object` that its kind's schema does not define, as JSON
 * pointers. The Kubernetes OpenAPI schemas (and so kubernetes-models) allow
 * unknown fields, while `kubectl apply` refuses them (strict field
 * validation). So each field is put to the test: it is replaced by a value of
 * no JSON type, and a field the schema defines answers with an error at its
 * own path, a field it does not define with none. Fields inside an unknown
 * field are not visited. Call only with an object that validates.
 */
export function unknownFields(model: ModelClass, object: KubernetesObject): string[] {
  const unknown: string[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, [...path, index]));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const fieldPath = [...path, key];
      const saved = record[key];
      record[key] = NOT_JSON;
      let errors: SchemaError[];
      try {
        errors = schemaErrors(model, object);
      } finally {
        record[key] = saved;
      }
      if (errors.some((error) => error.instancePath === pointer(fieldPath))) visit(saved, fieldPath);
      else unknown.push(pointer(fieldPath));
    }
  };
  visit(object, []);
  return unknown;
}

/**
 * A Secret's `data` as the API server decodes it: Go's base64 decoder skips
 * line breaks, and kustomize wraps the base64 of files (a PEM certificate)
 * at 76 characters, which the schema's "byte" format alone would refuse.
 */
function asTheApiServerReadsIt(object: KubernetesObject): KubernetesObject {
  const data = (object as { data?: unknown }).data;
  if (object.kind !== 'Secret' || data === null || typeof data !== 'object') return object;
  const unwrapped = Object.fromEntries(Object.entries(data as Record<string, unknown>).map(([key, value]) => [key, typeof value === 'string' ? value.replace(/[\r\n]/g, '') : value]));
  return { ...object, data: unwrapped } as KubernetesObject;
}

/**
 * Checks every object against the Kubernetes API schemas of kubernetes-models:
 * its kind must be known, it must validate, and it must have no field the
 * schema does not define. Returns one problem per finding, naming the object.
 */
export async function checkApiSchemas(objects: readonly KubernetesObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const name = describeObject(object);
    let model: ModelClass;
    try {
      model = await modelOf(object.apiVersion, object.kind);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
      continue;
    }
    const errors = schemaErrors(model, asTheApiServerReadsIt(object));
    if (errors.length > 0) {
      problems.push(...errors.map((error) => `${name}: ${error.instancePath || '/'} ${error.message ?? 'is invalid'}`));
      continue;
    }
    problems.push(...unknownFields(model, object).map((field) => `${name}: unknown field ${field}`));
  }
  return problems;
}
