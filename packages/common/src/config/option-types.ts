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
