import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * The Compose Specification's JSON schema (compose-spec/compose-spec,
 * schema/compose-spec.json) as the npm package `dclint` ships it in
 * `schemas/compose.schema.json`: no network at test time, and updating it is
 * updating a dependency.
 */
export function composeSchemaPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
}

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  const schema = JSON.parse(readFileSync(composeSchemaPath(), 'utf8')) as Record<string, unknown>;
  // The file names draft-07 by its https address, which Ajv does not know by that name.
  schema['$schema'] = 'http://json-schema.org/draft-07/schema#';
  // strict: false, as Compose's own validator: the schema uses keywords outside JSON Schema (e.g. "deprecated" notes).
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  return ajv.compile(schema);
}

/** Schema violations of a Compose document (after merge keys and interpolation), as "PATH: message" lines; empty when valid. */
export function validateComposeDocument(document: unknown): string[] {
  validator ??= compile();
  if (validator(document)) return [];
  return (validator.errors ?? []).map((error) => {
    const detail = error.keyword === 'additionalProperties' ? ` "${String((error.params as { additionalProperty?: string }).additionalProperty)}"` : '';
    return `${error.instancePath || '/'}: ${error.message ?? error.keyword}${detail}`;
  });
}
