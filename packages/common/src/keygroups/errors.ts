/**
 * Errors raised by key hashing and key-group assignment. Each carries a stable
 * `code` and structured fields; none of them is retryable — they all mean a
 * caller passed something that can never work (a key type with no stable
 * identity, an out-of-range parallelism, a malformed assignment table).
 */

export type KeyGroupErrorCode =
  'INVALID_KEY_TYPE' | 'INVALID_MAX_PARALLELISM' | 'INVALID_KEY_GROUP_ASSIGNMENT';

interface ErrorOptions {
  readonly cause?: unknown;
}

/** A record key whose type has no canonical byte encoding (see key-bytes.ts). */
export class KeyTypeError extends TypeError {
  override readonly name = 'KeyTypeError';
  readonly code: KeyGroupErrorCode = 'INVALID_KEY_TYPE';

  /**
   * @param keyType what was received, e.g. `undefined`, `object (Date)`, `number NaN`
   * @param path where inside a composite key, e.g. `key[1][0]`; `key` at top level
   */
  constructor(
    readonly keyType: string,
    readonly path: string = 'key',
    options: ErrorOptions = {},
  ) {
    super(
      `cannot derive a key group from ${path} of type ${keyType}: a key must be a string, ` +
        'a number (not NaN), a boolean, a bigint, or an array of those',
      options,
    );
  }
}

/** maxParallelism (= number of key groups) outside Flink's range 1..32768. */
export class InvalidMaxParallelismError extends RangeError {
  override readonly name = 'InvalidMaxParallelismError';
  readonly code: KeyGroupErrorCode = 'INVALID_MAX_PARALLELISM';

  constructor(
    readonly value: unknown,
    readonly upperBound: number,
    readonly what: string = 'maxParallelism',
  ) {
    super(`${what} must be an integer in 1..${upperBound}, got ${describeValue(value)}`);
  }
}

/** Bad input to an assignment (members, previous table) or a malformed serialized table. */
export class KeyGroupAssignmentError extends Error {
  override readonly name = 'KeyGroupAssignmentError';
  readonly code: KeyGroupErrorCode = 'INVALID_KEY_GROUP_ASSIGNMENT';

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
  }
}

/** A short, readable description of a value's type for error messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'number' && Number.isNaN(value)) return 'number NaN';
  if (type === 'object') {
    const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)
      ?.constructor?.name;
    return ctor && ctor !== 'Object' ? `object (${ctor})` : 'object';
  }
  return type;
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return typeof value === 'bigint' ? `${value}n` : describeType(value);
}
