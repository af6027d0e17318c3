/**
 * What a daemon's /metrics exposes, family by family: its type, whether it has
 * samples, and the label names its samples carry. The text is first checked
 * and parsed by `parsePrometheusText` (@rivulet/testing); label names are read
 * from the sample lines here because that parser drops the labels of
 * histogram samples.
 */
import { parsePrometheusText } from '@rivulet/testing';

export interface ExposedFamily {
  readonly name: string;
  /** Lower case, as in the `# TYPE` line: gauge, counter, histogram, summary, untyped. */
  readonly type: string;
  readonly sampleCount: number;
  /** Label names over all samples, without `le` and `quantile` (they belong to the type). */
  readonly labels: readonly string[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="(?:\\.|[^"\\])*"/g;
const TYPE_LABELS = new Set(['le', 'quantile']);

export function exposedFamilies(text: string): Map<string, ExposedFamily> {
  const families = parsePrometheusText(text);
  const types = new Map(families.map((f) => [f.name, f.type.toLowerCase()]));
  const samples = new Map<string, { count: number; labels: Set<string> }>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const family = familyOf(match[1]!, types);
    const entry = samples.get(family) ?? { count: 0, labels: new Set<string>() };
    entry.count += 1;
    for (const [, label] of (match[2] ?? '').matchAll(LABEL)) if (!TYPE_LABELS.has(label!)) entry.labels.add(label!);
    samples.set(family, entry);
  }
  return new Map(
    families.map((f) => {
      const entry = samples.get(f.name);
      return [f.name, { name: f.name, type: types.get(f.name)!, sampleCount: entry?.count ?? 0, labels: [...(entry?.labels ?? [])].sort() }];
    }),
  );
}

/** The family a sample belongs to: its own name, or a histogram's / summary's name without `_bucket`, `_sum`, `_count`. */
function familyOf(sample: string, types: ReadonlyMap<string, string>): string {
  if (types.has(sample)) return sample;
  const base = sample.replace(/_(bucket|sum|count)$/, '');
  return types.has(base) ? base : sample;
}
