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

/** What a built-in source is made of: its operator in the job graph, and for fromElements' readers its values (from the job bundle). */
export interface BuiltinSourceSpec {
  readonly operatorId: string;
  readonly name: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly elements?: readonly unknown[] | undefined;
}

/**
 * The Source of a built-in source operator, the same wherever it is built
 * (the JobManager, for its enumerator: from the graph alone; each
 * TaskManager slot thread, for its reader: fromElements' values from the
 * bundle); throws an error naming the operator when its parameters are not
 * those of its variant.
 */
export function createBuiltinSource(spec: BuiltinSourceSpec): BuiltinSource<unknown, SourceSplit> {
  const description = `source '${spec.name}' (${spec.operatorId})`;
  switch (spec.variant) {
    case 'sequence':
      return new NumberSequenceSource(Number(spec.params['from']), Number(spec.params['to']), description) as BuiltinSource<unknown, SourceSplit>;
    case 'elements':
      return new FromElementsSource(spec.elements, description) as BuiltinSource<unknown, SourceSplit>;
    case 'textFile':
      return new TextFileSource(spec.params['path'] as string, description) as BuiltinSource<unknown, SourceSplit>;
    default:
      throw new Error(`${description}: ${preview(spec.variant)} is not a built-in source variant (${[...BUILTIN_SOURCE_VARIANTS].join(', ')})`);
  }
}
