import type { PurchaseTotal } from './purchases.js';

/** How an output differs from the fault-free output; all zero when it is exactly that output. */
export interface OutputDifferences {
  readonly records: number;
  readonly missing: number;
  readonly duplicated: number;
  readonly wrong: number;
  /** A few of the differences, for the failure message. */
  readonly examples: readonly string[];
}

/**
 * Compares `output` (in any order) with the fault-free totals: a total never
 * written is missing (a lost record), one written more than once is
 * duplicated (a replayed record), and one that is not a fault-free total of
 * its user (unknown user, purchases out of range, another amount) is wrong.
 */
export function outputDifferences(output: readonly PurchaseTotal[], faultFree: ReadonlyMap<string, readonly PurchaseTotal[]>): OutputDifferences {
  const examples: string[] = [];
  const note = (text: string): void => {
    if (examples.length < 5) examples.push(text);
  };
  const seen = new Map<string, number[]>();
  let wrong = 0;
  let duplicated = 0;
  for (const total of output) {
    const expected = faultFree.get(total.user)?.[total.purchases - 1];
    if (expected === undefined || expected.amount !== total.amount) {
      wrong += 1;
      note(`wrong: ${JSON.stringify(total)} (fault-free: ${JSON.stringify(expected ?? null)})`);
      continue;
    }
    const times = seen.get(total.user) ?? [];
    times[total.purchases - 1] = (times[total.purchases - 1] ?? 0) + 1;
    seen.set(total.user, times);
    if (times[total.purchases - 1] === 2) {
      duplicated += 1;
      note(`duplicated: ${JSON.stringify(total)}`);
    }
  }
  let missing = 0;
  for (const [user, totals] of faultFree) {
    const times = seen.get(user) ?? [];
    for (let i = 0; i < totals.length; i++) {
      if ((times[i] ?? 0) === 0) {
        missing += 1;
        note(`missing: ${JSON.stringify(totals[i])}`);
      }
    }
  }
  return { records: output.length, missing, duplicated, wrong, examples };
}

/** One line for an assertion message. */
export function describeDifferences(where: string, d: OutputDifferences): string {
  return `${where}: ${d.records} records, ${d.missing} missing, ${d.duplicated} duplicated, ${d.wrong} wrong; ${d.examples.join('; ')}`;
}
