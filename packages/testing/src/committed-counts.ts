import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads the visible (committed) `part-*` files a keyed running count wrote
 * with `writeAsText`: JSON lines `{"key", "count"}`. Returns, for every key,
 * the counts in file order. Exactly-once output has, for every key, each of
 * 1..total exactly once — a lost record leaves a gap, a replayed one a repeat.
 */
export function committedCounts(output: string): Map<string, number[]> {
  const counts = new Map<string, number[]>();
  if (!existsSync(output)) return counts;
  for (const file of readdirSync(output).filter((f) => f.startsWith('part-')).sort()) {
    for (const line of readFileSync(join(output, file), 'utf8').split('\n')) {
      if (line === '') continue;
      const { key, count } = JSON.parse(line) as { key: string; count: number };
      let values = counts.get(key);
      if (!values) counts.set(key, (values = []));
      values.push(count);
    }
  }
  return counts;
}

/**
 * Checks the exactly-once property of `committedCounts(output)`: every key's
 * counts are 1..m each once, and the totals add up to `records`. Throws an
 * Error naming the first key that breaks it.
 */
export function assertCountsExactlyOnce(output: string, records: number, keys?: number): void {
  const counts = committedCounts(output);
  if (keys !== undefined && counts.size !== keys) throw new Error(`expected ${keys} keys in ${output}, found ${counts.size}`);
  let total = 0;
  for (const [key, values] of counts) {
    const sorted = [...values].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i++) {
      if (sorted[i] !== i + 1) {
        throw new Error(`counts of ${key} are not 1..${sorted.length} exactly once: at position ${i} found ${sorted[i]} (a lost or repeated record)`);
      }
    }
    total += sorted.length;
  }
  if (total !== records) throw new Error(`${total} records in the committed output of ${output}, expected ${records}`);
}
