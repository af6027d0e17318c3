import { z } from 'zod';
import { parseDuration } from '../time/duration.js';

/**
 * How one configuration value is read. Values arrive typed from YAML and as
 * strings from the environment and flags; every type accepts both.
 * `parse` throws an `OptionTypeMismatch` naming what was expected.
 */
export interface OptionType<T> {
  readonly expected: string;
  parse(raw: unknown): T;
}

export class OptionTypeMismatch extends Error {
  override readonly name = 'OptionTypeMismatch';
}

function show(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw);
  if (raw === null || raw === undefined) return String(raw);
  if (typeof raw === 'object') return JSON.stringify(raw);
  return String(raw);
}

function fromSchema<T>(expected: string, schema: z.ZodType<T>): OptionType<T> {
  return {
    expected,
    parse(raw) {
      const result = schema.safeParse(raw);
      if (!result.success) throw new OptionTypeMismatch(`expected ${expected}, got ${show(raw)}`);
      return result.data;
    },
  };
}

const integerText = z.string().trim().regex(/^[+-]?\d+$/).transform(Number);

export function integer(min: number, max: number, what = 'an integer'): OptionType<number> {
  return fromSchema(`${what} in ${min}..${max}`, z.union([z.number(), integerText]).pipe(z.number().int().min(min).max(max)));
}

const numberText = z.string().trim().regex(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/).transform(Number);

/** A finite number in [min, max] (a float: factors, multipliers). */
export function decimal(min: number, max: number, what = 'a number'): OptionType<number> {
  return fromSchema(`${what} in ${min}..${max}`, z.union([z.number(), numberText]).pipe(z.number().finite().min(min).max(max)));
}

export const port: OptionType<number> = integer(0, 65535, 'a port number (0 = any free port)');

export const text: OptionType<string> = fromSchema('a non-empty string', z.string().trim().min(1));

export const bool: OptionType<boolean> = fromSchema(
  'true or false',
  z.union([z.boolean(), z.string().trim().toLowerCase().pipe(z.enum(['true', 'false'])).transform((s) => s === 'true')]),
);

export function oneOf<const T extends readonly [string, ...string[]]>(values: T): OptionType<T[number]> {
  return fromSchema(`one of ${values.map((v) => `"${v}"`).join(', ')}`, z.string().trim().pipe(z.enum(values)));
}

/** Milliseconds, from `5 s`, `500ms`, `1 min` or a plain number of milliseconds. */
export const duration: OptionType<number> = {
  expected: 'a duration such as "5 s", "500 ms" or "1 min"',
  parse(raw) {
    const result = parseDuration(raw);
    if (!result.ok) throw new OptionTypeMismatch(result.error);
    return result.ms;
  },
};

const MEMORY_UNITS: Readonly<Record<string, number>> = { '': 1 / (1024 * 1024), b: 1 / (1024 * 1024), k: 1 / 1024, kb: 1 / 1024, m: 1, mb: 1, g: 1024, gb: 1024, t: 1024 * 1024, tb: 1024 * 1024 };

/** A memory size in MiB, from Flink's forms: `512m`, `1g`, `1024 mb`, `2 gb` (a plain number is bytes). */
export const memorySizeMb: OptionType<number> = {
  expected: 'a memory size such as "512m", "1g" or "2 gb"',
  parse(raw) {
    const match = typeof raw === 'number' ? ['', String(raw), ''] : /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(String(raw));
    const factor = match ? MEMORY_UNITS[match[2]!.toLowerCase()] : undefined;
    if (!match || factor === undefined) throw new OptionTypeMismatch(`expected ${this.expected}, got ${JSON.stringify(raw)}`);
    const mb = Number(match[1]) * factor;
    if (!(mb >= 1)) throw new OptionTypeMismatch(`expected at least 1 MiB, got ${JSON.stringify(raw)}`);
    return Math.floor(mb);
  },
};

/** A YAML list, or a comma-separated string from the environment or a flag. */
export const textList: OptionType<readonly string[]> = fromSchema(
  'a list of strings (YAML list or comma-separated)',
  z.union([
    z.array(z.string().trim().min(1)),
    z.string().transform((s) => s.split(',').map((p) => p.trim()).filter((p) => p.length > 0)),
  ]),
);

/** Allows the option to be unset (`null`); an empty string from env/flags also unsets it. */
export function optional<T>(type: OptionType<T>): OptionType<T | null> {
  return {
    expected: `${type.expected} (or empty)`,
    parse(raw) {
      if (raw === null || raw === undefined || raw === '') return null;
      return type.parse(raw);
    },
  };
}

/**
 * A duration in seconds, at least `minSeconds`: a plain number is seconds
 * (as Flink reads `jobstore.expiration-time`, so a value copied from a Flink
 * configuration means the same), a number with a unit is converted (`1 h`,
 * `30 min`, `1500 ms`).
 */
export function durationInSeconds(minSeconds: number): OptionType<number> {
  const expected = `a duration such as "1 h" or "30 min", or a number of seconds, at least ${minSeconds} s`;
  return {
    expected,
    parse(raw) {
      const plain = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : undefined;
      const seconds = plain ?? duration.parse(raw) / 1000;
      if (!Number.isFinite(seconds) || seconds < minSeconds) throw new OptionTypeMismatch(`expected ${expected}, got ${show(raw)}`);
      return seconds;
    },
  };
}
