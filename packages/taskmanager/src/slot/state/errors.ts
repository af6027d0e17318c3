/**
 * Errors raised by the keyed state backend and the timer service. Each carries
 * a stable `code` and structured fields. None is retryable: a not-owned key
 * group is a routing bug, a missing current key or a kind mismatch is a bug in
 * the operator, a bad snapshot means the checkpoint does not fit this backend.
 */
import type { StateKind } from './key-group-store.js';

export type StateErrorCode =
  | 'KEY_GROUP_NOT_OWNED'
  | 'NO_CURRENT_KEY'
  | 'STATE_KIND_MISMATCH'
  | 'STATE_TTL_MISMATCH'
  | 'INVALID_STATE_DESCRIPTOR'
  | 'INVALID_STATE_SNAPSHOT';

interface ErrorOptions {
  readonly cause?: unknown;
}

/**
 * A record's key falls in a key group this subtask does not own: the producer
 * routed it with a different assignment table than the one this backend holds.
 */
export class KeyGroupNotOwnedError extends Error {
  override readonly name = 'KeyGroupNotOwnedError';
  readonly code: StateErrorCode = 'KEY_GROUP_NOT_OWNED';

  constructor(
    readonly operatorId: string,
    readonly key: unknown,
    readonly keyGroup: number,
    options: ErrorOptions = {},
  ) {
    super(
      `key ${describeKey(key)} is in key group ${keyGroup}, which operator ` +
        `${JSON.stringify(operatorId)} does not own on this subtask (a routing bug: the ` +
        'producer and this subtask disagree on the assignment table)',
      options,
    );
  }
}

/** Keyed state or a timer was used outside the scope of a key (no `setCurrentKey` yet). */
export class NoCurrentKeyError extends Error {
  override readonly name = 'NoCurrentKeyError';
  readonly code: StateErrorCode = 'NO_CURRENT_KEY';

  constructor(
    readonly operatorId: string,
    readonly what: string,
  ) {
    super(
      `${what} on operator ${JSON.stringify(operatorId)} needs a current key: ` +
        'keyed state and timers ' +
        'are only available while processing a keyed record or timer',
    );
  }
}

/** One state name asked for (or restored) as two different kinds. */
export class StateKindMismatchError extends Error {
  override readonly name = 'StateKindMismatchError';
  readonly code: StateErrorCode = 'STATE_KIND_MISMATCH';

  constructor(
    readonly operatorId: string,
    readonly stateName: string,
    readonly registeredKind: StateKind,
    readonly requestedKind: StateKind,
  ) {
    super(
      `state ${JSON.stringify(stateName)} of operator ${JSON.stringify(operatorId)} is a ` +
        `${registeredKind} state, it cannot be used as a ${requestedKind} state`,
    );
  }
}

/** One state name asked for twice in one run with different TTL configurations (or with and without TTL). */
export class StateTtlMismatchError extends Error {
  override readonly name = 'StateTtlMismatchError';
  readonly code: StateErrorCode = 'STATE_TTL_MISMATCH';

  constructor(
    readonly operatorId: string,
    readonly stateName: string,
    registered: string,
    requested: string,
  ) {
    super(
      `state ${JSON.stringify(stateName)} of operator ${JSON.stringify(operatorId)} was asked for ` +
        `with ${registered} and now with ${requested}: one state has one TTL configuration`,
    );
  }
}

/** A state getter was given something that is neither a name nor a valid descriptor. */
export class InvalidStateDescriptorError extends TypeError {
  override readonly name = 'InvalidStateDescriptorError';
  readonly code: StateErrorCode = 'INVALID_STATE_DESCRIPTOR';

  constructor(
    readonly operatorId: string,
    detail: string,
    options: ErrorOptions = {},
  ) {
    super(`operator ${JSON.stringify(operatorId)}: ${detail}`, options);
  }
}

/** Bytes that cannot be restored here: corrupt, or another format, group or maxParallelism. */
export class StateSnapshotError extends Error {
  override readonly name = 'StateSnapshotError';
  readonly code: StateErrorCode = 'INVALID_STATE_SNAPSHOT';

  constructor(
    readonly operatorId: string,
    readonly keyGroup: number,
    detail: string,
    options: ErrorOptions = {},
  ) {
    super(
      `cannot restore key group ${keyGroup} of operator ${JSON.stringify(operatorId)}: ${detail}`,
      options,
    );
  }
}

function describeKey(key: unknown): string {
  if (typeof key === 'bigint') return `${key}n`;
  try {
    return (
      JSON.stringify(key, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(key)
    );
  } catch {
    return String(key);
  }
}
