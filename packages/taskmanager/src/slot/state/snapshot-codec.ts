/**
 * Byte formats of one key group's keyed state and timers (MessagePack, via
 * msgpackr; docs/state.md has the measurement against v8.serialize and JSON).
 *
 * Contract: bytes are self-describing (a fresh process decodes them with no
 * shared structures), carry `format`, `maxParallelism` and `keyGroup` so a
 * mix-up is detected on restore, and are a private copy (their own
 * ArrayBuffer): nothing done to the backend afterwards changes them, and the
 * caller may transfer their buffer.
 *
 * Value fidelity: what MessagePack with msgpackr's extensions keeps — numbers
 * (-0 becomes 0), strings, booleans, null, undefined, bigint, arrays, plain
 * objects, Map, Set, Date, RegExp, Error, typed arrays. Class instances come
 * back as plain objects; functions and symbols cannot be stored.
 */
import { Packr } from 'msgpackr';
import type { StateKind, StateTable } from './key-group-store.js';

/** v2 adds `ttl` to state entries; v1 bytes (no TTL) are still read. */
export const KEYED_STATE_FORMAT = 'rivulet.keyed-state.v2';
const KEYED_STATE_FORMAT_V1 = 'rivulet.keyed-state.v1';
export const TIMERS_FORMAT = 'rivulet.timers.v1';

/** One state of one key group: its tables of primitive and composite keys. */
export interface StateSnapshotEntry {
  readonly name: string;
  readonly kind: StateKind;
  /** The entries are TTL-wrapped `{ v, t }` (value, last-access ms); absent: plain values (every v1 entry). */
  readonly ttl?: boolean;
  readonly plain: StateTable;
  /** Keyed by the canonical latin1 string of the composite key (key-ref.ts). */
  readonly composite: StateTable;
}

export interface KeyGroupStateSnapshot {
  readonly format: typeof KEYED_STATE_FORMAT | typeof KEYED_STATE_FORMAT_V1;
  readonly maxParallelism: number;
  readonly keyGroup: number;
  readonly states: readonly StateSnapshotEntry[];
}

export interface KeyGroupTimersSnapshot {
  readonly format: typeof TIMERS_FORMAT;
  readonly maxParallelism: number;
  readonly keyGroup: number;
  /** Processing-time timers: flat pairs `key, timestamp, key, timestamp, …` in firing order. */
  readonly timers: readonly unknown[];
  /** Event-time timers, as `timers`; absent in snapshots taken before event time existed (none). */
  readonly eventTimers?: readonly unknown[];
}

// mapsAsObjects: false keeps Map a Map (plain objects travel as records);
// moreTypes adds Set, Error, RegExp, big bigints; int64 decodes as bigint so a
// bigint stays a bigint (numbers are never written as int64).
const packr = new Packr({ mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });

/**
 * The bytes of `snapshot`. With `shared`, they are a view into msgpackr's
 * output buffer, which later encodings never overwrite (msgpackr moves on or
 * allocates a new buffer) but which holds other encodings too: fine to read,
 * write elsewhere or concatenate, not to transfer or mutate. Without it, a
 * private copy (its own ArrayBuffer), which is what the contract above promises.
 */
export function encodeSnapshot(
  snapshot: KeyGroupStateSnapshot | KeyGroupTimersSnapshot,
  options: { shared?: boolean } = {},
): Uint8Array {
  const bytes = packr.pack(snapshot);
  return options.shared === true ? bytes : new Uint8Array(bytes);
}

/**
 * Decodes and checks the envelope; throws `Error` with the reason (the caller
 * wraps it in StateSnapshotError with the operator and group).
 */
export function decodeStateSnapshot(
  bytes: Uint8Array,
  maxParallelism: number,
  keyGroup: number,
): KeyGroupStateSnapshot {
  const s = decodeEnvelope(bytes, [KEYED_STATE_FORMAT, KEYED_STATE_FORMAT_V1], maxParallelism, keyGroup);
  if (!Array.isArray(s.states)) throw new Error('states is not an array');
  for (const e of s.states as unknown[]) {
    const entry = e as Partial<Record<keyof StateSnapshotEntry, unknown>>;
    if (typeof entry?.name !== 'string' || !isKind(entry.kind)) {
      throw new Error('a state entry lacks a name or a kind (value | list | map)');
    }
    if (entry.ttl !== undefined && (typeof entry.ttl !== 'boolean' || s.format === KEYED_STATE_FORMAT_V1)) {
      throw new Error(`state ${JSON.stringify(entry.name)} has an invalid ttl flag`);
    }
    if (!(entry.plain instanceof Map) || !(entry.composite instanceof Map)) {
      throw new Error(`state ${JSON.stringify(entry.name)} lacks its plain and composite tables`);
    }
  }
  return s as unknown as KeyGroupStateSnapshot;
}

export function decodeTimersSnapshot(
  bytes: Uint8Array,
  maxParallelism: number,
  keyGroup: number,
): KeyGroupTimersSnapshot {
  const s = decodeEnvelope(bytes, [TIMERS_FORMAT], maxParallelism, keyGroup);
  if (!Array.isArray(s.timers) || s.timers.length % 2 !== 0) {
    throw new Error('timers is not a flat array of key, timestamp pairs');
  }
  if (s.eventTimers !== undefined && (!Array.isArray(s.eventTimers) || s.eventTimers.length % 2 !== 0)) {
    throw new Error('eventTimers is not a flat array of key, timestamp pairs');
  }
  return s as unknown as KeyGroupTimersSnapshot;
}

function decodeEnvelope(
  bytes: Uint8Array,
  formats: readonly string[],
  maxParallelism: number,
  keyGroup: number,
): Record<string, unknown> {
  const value: unknown = packr.unpack(bytes);
  if (typeof value !== 'object' || value === null) throw new Error('not a snapshot object');
  const s = value as Record<string, unknown>;
  if (!formats.includes(s.format as string)) {
    throw new Error(`format is ${JSON.stringify(s.format)}, expected ${formats.map((f) => JSON.stringify(f)).join(' or ')}`);
  }
  if (s.maxParallelism !== maxParallelism) {
    throw new Error(
      `it was taken with maxParallelism ${String(s.maxParallelism)}, ` +
        `this backend has ${maxParallelism}`,
    );
  }
  if (s.keyGroup !== keyGroup) throw new Error(`the bytes hold key group ${String(s.keyGroup)}`);
  return s;
}

function isKind(kind: unknown): kind is StateKind {
  return kind === 'value' || kind === 'list' || kind === 'map';
}
