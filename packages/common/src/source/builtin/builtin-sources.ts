import type { SourceSplit } from '@rivulet/api';
import type { BuiltinSource } from './builtin-source.js';
import { FromElementsSource } from './elements-source.js';
import { preview } from './owned-split-enumerator.js';
import { NumberSequenceSource } from './sequence-source.js';
import { TextFileSource } from './text-file-source.js';

/** The job graph's source variants the runtime implements itself (every other source is a fromSource, variant 'custom'). */
export const BUILTIN_SOURCE_VARIANTS: ReadonlySet<string> = new Set(['sequence', 'elements', 'textFile']);

export function isBuiltinSourceVariant(variant: string): boolean {
  return BUILTIN_SOURCE_VARIANTS.has(variant);
}

/** Whether the source needs the job bundle to be built: fromElements' values are in it, not in the graph. */
export function builtinSourceNeedsBundle(variant: string): boolean {
  return variant === 'elements';
}

/** What a built-in source is made of: its operator in the job graph, and for fromElements its values (from the job bundle). */
export interface BuiltinSourceSpec {
  readonly operatorId: string;
  readonly name: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly elements?: readonly unknown[] | undefined;
}

/**
 * The Source of a built-in source operator, the same wherever it is built
 * (the JobManager's source coordinator thread, each TaskManager slot
 * thread); throws an error naming the operator when its parameters are not
 * those of its variant.
 */
export function createBuiltinSource(spec: BuiltinSourceSpec): BuiltinSource<unknown, SourceSplit> {
  const description = `source '${spec.name}' (${spec.operatorId})`;
  switch (spec.variant) {
    case 'sequence':
      return new NumberSequenceSource(Number(spec.params['from']), Number(spec.params['to']), description) as BuiltinSource<unknown, SourceSplit>;
    case 'elements':
      if (!Array.isArray(spec.elements)) throw new Error(`${description}: fromElements has no values in the job bundle as built here (the job's build must be deterministic)`);
      return new FromElementsSource(spec.elements, description) as BuiltinSource<unknown, SourceSplit>;
    case 'textFile':
      return new TextFileSource(spec.params['path'] as string, description) as BuiltinSource<unknown, SourceSplit>;
    default:
      throw new Error(`${description}: ${preview(spec.variant)} is not a built-in source variant (${[...BUILTIN_SOURCE_VARIANTS].join(', ')})`);
  }
}
