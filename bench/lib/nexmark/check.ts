import type { StartedJobManager } from '@rivulet/testing';
import { DEFAULT_BASE_TIME, type GeneratorOptions } from './config.js';
import { NexmarkGenerator } from './generator.js';
import { COLLECT_NAME } from './job.js';
import type { NexmarkEvent } from './model.js';
import type { NexmarkQueryName } from './queries/index.js';
import { QUERY_REFERENCES } from './reference.js';
import { runNexmarkQuery } from './run-query.js';

export interface CheckSettings {
  readonly events: number;
  readonly parallelism: number;
  readonly eventsPerSecond: number;
  readonly outOfOrderGroupSize: number;
  readonly watermarkMs: number;
}

export interface CheckResult {
  readonly passed: boolean;
  readonly expectedRows: number;
  readonly actualRows: number;
  /** The first differences (canonical rows), when it failed. */
  readonly missing?: string[];
  readonly unexpected?: string[];
}

/** The events of stream positions 0..events-1, generated in this process. */
export function generateEvents(events: number, options: GeneratorOptions): NexmarkEvent[] {
  const generator = new NexmarkGenerator(options);
  return Array.from({ length: events }, (_, position) => generator.eventAt(position));
}

/** Multiset difference a − b of two sorted lists. */
function sortedDifference(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let j = 0;
  for (const value of a) {
    while (j < b.length && b[j]! < value) j++;
    if (j < b.length && b[j] === value) j++;
    else out.push(value);
  }
  return out;
}

/** Runs `query` on a small input with a collect sink and compares its rows with the reference computed here. */
export async function checkQuery(jm: StartedJobManager, query: NexmarkQueryName, settings: CheckSettings): Promise<CheckResult> {
  const reference = QUERY_REFERENCES[query];
  const generator = { eventsPerSecond: settings.eventsPerSecond, outOfOrderGroupSize: settings.outOfOrderGroupSize, baseTime: DEFAULT_BASE_TIME };
  const expected = reference.expected(generateEvents(settings.events, generator)).sort();
  const run = await runNexmarkQuery(jm, { query, ...settings, sink: 'collect' });
  const actual = (run.results[COLLECT_NAME] ?? []).map((row) => reference.canonical(row)).sort();
  const passed = expected.length === actual.length && expected.every((row, i) => row === actual[i]);
  if (passed) return { passed, expectedRows: expected.length, actualRows: actual.length };
  return {
    passed,
    expectedRows: expected.length,
    actualRows: actual.length,
    missing: sortedDifference(expected, actual).slice(0, 5),
    unexpected: sortedDifference(actual, expected).slice(0, 5),
  };
}
