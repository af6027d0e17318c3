/**
 * Durations as Flink writes them: a number of milliseconds, or a number with a
 * unit (`500ms`, `5 s`, `1 min`, `2h`, `1d`). Parsed once into milliseconds.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i;

/** Returns milliseconds, or an error message saying what was expected. */
export function parseDuration(input: unknown): { ok: true; ms: number } | { ok: false; error: string } {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0
      ? { ok: true, ms: Math.round(input) }
      : { ok: false, error: `expected a non-negative duration, got ${input}` };
  }
  if (typeof input !== 'string') {
    return { ok: false, error: `expected a duration such as "5 s" or "500ms", got ${typeof input}` };
  }
  const match = DURATION.exec(input);
  const unit = match?.[2]?.toLowerCase() ?? '';
  const factor = unit === '' ? 1 : UNIT_MS[unit];
  if (!match || factor === undefined) {
    return { ok: false, error: `expected a duration such as "5 s" or "500ms", got "${input}"` };
  }
  return { ok: true, ms: Math.round(Number(match[1]) * factor) };
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
