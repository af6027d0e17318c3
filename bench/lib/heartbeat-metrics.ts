/**
 * Reads the heartbeat metrics of real daemons from their /metrics text
 * (docs/metrics.md, "Heartbeats"): the JobManager's histogram of the gap
 * between a TaskManager's heartbeats and its largest gap, the TaskManager's
 * histogram of its own send delay and its largest one. Quantiles are
 * computed from the buckets as Prometheus's histogram_quantile does.
 */

/** Cumulative bucket counts by upper bound (Infinity for +Inf), with count and sum. */
export interface HistogramSnapshot {
  readonly buckets: ReadonlyMap<number, number>;
  readonly count: number;
  readonly sum: number;
}

export const JM_GAP = 'rivulet_jobmanager_taskmanager_heartbeat_gap_seconds';
export const JM_GAP_MAX = 'rivulet_jobmanager_taskmanager_heartbeat_gap_max_seconds';
export const TM_SEND_DELAY = 'rivulet_taskmanager_heartbeat_send_delay_seconds';
export const TM_SEND_DELAY_MAX = 'rivulet_taskmanager_heartbeat_send_delay_max_seconds';

export async function scrape(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`${baseUrl}/metrics answered ${response.status}`);
  return response.text();
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"/g;

function samples(text: string, name: string, labels: Record<string, string>): { name: string; labels: Record<string, string>; value: number }[] {
  const found = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (match === null || !match[1]!.startsWith(name)) continue;
    const sampleLabels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([k, v]) => sampleLabels[k] === v)) found.push({ name: match[1]!, labels: sampleLabels, value: Number(match[3]) });
  }
  return found;
}

/** The histogram `name` with `labels` (e.g. `{ tm_id }`), or undefined when it has no series. */
export function histogram(text: string, name: string, labels: Record<string, string> = {}): HistogramSnapshot | undefined {
  const all = samples(text, name, labels);
  const count = all.find((s) => s.name === `${name}_count`);
  const sum = all.find((s) => s.name === `${name}_sum`);
  if (count === undefined || sum === undefined) return undefined;
  const buckets = new Map<number, number>();
  for (const s of all) if (s.name === `${name}_bucket`) buckets.set(s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']), s.value);
  return { buckets, count: count.value, sum: sum.value };
}

/** A gauge's value, or undefined. */
export function gauge(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text, name, labels).find((s) => s.name === name)?.value;
}

/** What `later` counted that `earlier` had not (the observations between two scrapes). */
export function difference(later: HistogramSnapshot, earlier: HistogramSnapshot | undefined): HistogramSnapshot {
  if (earlier === undefined) return later;
  const buckets = new Map<number, number>();
  for (const [le, count] of later.buckets) buckets.set(le, count - (earlier.buckets.get(le) ?? 0));
  return { buckets, count: later.count - earlier.count, sum: later.sum - earlier.sum };
}

/**
 * The q-quantile (0..1) as Prometheus's histogram_quantile computes it:
 * linear within the bucket it falls in (from 0 for the first); in the +Inf
 * bucket, the highest finite bound. With `max` (the largest observation,
 * known from a gauge), never above it, and `max` in the +Inf bucket. NaN
 * without observations.
 */
export function quantile(h: HistogramSnapshot, q: number, max = Infinity): number {
  const value = bucketQuantile(h, q);
  return Number.isNaN(value) ? value : Math.min(value, max);
}

function bucketQuantile(h: HistogramSnapshot, q: number): number {
  if (h.count === 0) return NaN;
  const bounds = [...h.buckets.keys()].sort((a, b) => a - b);
  const rank = q * h.count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const le of bounds) {
    const count = h.buckets.get(le)!;
    if (count >= rank) {
      if (le === Infinity) return Infinity; // beyond the last bound: quantile() answers `max`
      if (count === lowerCount) return le;
      return lowerBound + ((le - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return Infinity;
}

/** The share of observations at most `le` (a bucket bound). */
export function shareAtMost(h: HistogramSnapshot, le: number): number {
  const count = h.buckets.get(le);
  if (count === undefined) throw new Error(`no bucket le=${le}: ${[...h.buckets.keys()].join(', ')}`);
  return h.count === 0 ? NaN : count / h.count;
}

/** The 1-, 5- and 15-minute load averages of this machine. */
export async function loadAverage(): Promise<[number, number, number]> {
  const { loadavg } = await import('node:os');
  const [a, b, c] = loadavg();
  return [Number(a!.toFixed(2)), Number(b!.toFixed(2)), Number(c!.toFixed(2))];
}
