/**
 * State time-to-live as the heap backend applies it (Flink's TTL state
 * decorators): an entry with TTL is stored wrapped as `{ v, t }` — the user
 * value and its last-access timestamp (processing time, ms) — per ValueState
 * value, per ListState element and per MapState entry. States without TTL
 * store their values unwrapped, as before: no wrapper and no clock read.
 *
 * An entry is expired once `now >= t + timeToLive` (Flink's rule).
 */
import type { ResolvedStateTtl } from '@rivulet/api';

/** A stored entry of a state with TTL. */
export interface TtlValue {
  v: unknown;
  /** Last access (creation, write, or read with OnReadAndWrite), ms since epoch. */
  t: number;
}

/** The TTL of one registered state, in the form the state objects test per access. */
export interface StateTtl {
  readonly config: ResolvedStateTtl;
  readonly timeToLive: number;
  readonly updateOnRead: boolean;
  readonly returnExpired: boolean;
}

export function stateTtlOf(config: ResolvedStateTtl): StateTtl {
  return {
    config,
    timeToLive: config.timeToLive,
    updateOnRead: config.updateType === 'OnReadAndWrite',
    returnExpired: config.stateVisibility === 'ReturnExpiredIfNotCleanedUp',
  };
}

export function isExpired(entry: TtlValue, timeToLive: number, now: number): boolean {
  return now >= entry.t + timeToLive;
}

export function wrap(value: unknown, now: number): TtlValue {
  return { v: value, t: now };
}

/** Whether two configurations are the same (a state asked for twice must agree). */
export function sameTtl(a: ResolvedStateTtl | undefined, b: ResolvedStateTtl | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ai = a.cleanup.incremental;
  const bi = b.cleanup.incremental;
  return a.timeToLive === b.timeToLive &&
    a.updateType === b.updateType &&
    a.stateVisibility === b.stateVisibility &&
    a.cleanup.fullSnapshot === b.cleanup.fullSnapshot &&
    (ai === false || bi === false
      ? ai === bi
      : ai.cleanupSize === bi.cleanupSize && ai.runCleanupForEveryRecord === bi.runCleanupForEveryRecord);
}

export function describeTtl(config: ResolvedStateTtl | undefined): string {
  if (config === undefined) return 'no TTL';
  const incremental = config.cleanup.incremental;
  return `TTL ${config.timeToLive} ms (${config.updateType}, ${config.stateVisibility}, ` +
    `incremental cleanup ${incremental === false ? 'off' : `${incremental.cleanupSize}${incremental.runCleanupForEveryRecord ? ' and per record' : ''}`})`;
}

/**
 * What of one stored entry (a table's value for a key) is left at `now`:
 * the same object when nothing expired, `undefined` when everything did,
 * else a new list / map of the live elements. Never mutates `stored`.
 */
export function unexpiredPart(stored: unknown, kind: 'value' | 'list' | 'map', timeToLive: number, now: number): unknown {
  if (kind === 'value') return isExpired(stored as TtlValue, timeToLive, now) ? undefined : stored;
  if (kind === 'list') {
    const list = stored as TtlValue[];
    let expired = 0;
    for (const e of list) if (isExpired(e, timeToLive, now)) expired++;
    if (expired === 0) return stored;
    if (expired === list.length) return undefined;
    return list.filter((e) => !isExpired(e, timeToLive, now));
  }
  const map = stored as Map<unknown, TtlValue>;
  let live: Map<unknown, TtlValue> | undefined;
  let expired = 0;
  for (const [k, e] of map) {
    if (isExpired(e, timeToLive, now)) {
      if (live === undefined) {
        live = new Map();
        for (const [k2, e2] of map) {
          if (k2 === k) break;
          live.set(k2, e2);
        }
      }
      expired++;
    } else if (live !== undefined) {
      live.set(k, e);
    }
  }
  if (expired === 0) return stored;
  return live === undefined || live.size === 0 ? undefined : live;
}

/** A table of one state without its expired entries (the same table when none expired). */
export function unexpiredTable(
  table: Map<unknown, unknown>,
  kind: 'value' | 'list' | 'map',
  timeToLive: number,
  now: number,
): Map<unknown, unknown> {
  let out: Map<unknown, unknown> | undefined;
  for (const [ref, stored] of table) {
    const part = unexpiredPart(stored, kind, timeToLive, now);
    if (part === stored && out === undefined) continue;
    if (out === undefined) {
      out = new Map();
      for (const [r2, s2] of table) {
        if (r2 === ref) break;
        out.set(r2, s2);
      }
    }
    if (part !== undefined) out.set(ref, part);
  }
  return out ?? table;
}

/** Wraps every entry of a table written without TTL (a restore or registration that adds TTL), stamped `now`. */
export function wrapTable(table: Map<unknown, unknown>, kind: 'value' | 'list' | 'map', now: number): Map<unknown, unknown> {
  const out = new Map<unknown, unknown>();
  for (const [ref, stored] of table) {
    if (kind === 'value') out.set(ref, wrap(stored, now));
    else if (kind === 'list') out.set(ref, (stored as unknown[]).map((v) => wrap(v, now)));
    else out.set(ref, new Map([...(stored as Map<unknown, unknown>)].map(([k, v]) => [k, wrap(v, now)])));
  }
  return out;
}

/** Unwraps every entry of a table written with TTL (the state no longer has TTL); expired entries are dropped. */
export function unwrapTable(table: Map<unknown, unknown>, kind: 'value' | 'list' | 'map', timeToLive: number | undefined, now: number): Map<unknown, unknown> {
  const live = timeToLive === undefined ? table : unexpiredTable(table, kind, timeToLive, now);
  const out = new Map<unknown, unknown>();
  for (const [ref, stored] of live) {
    if (kind === 'value') out.set(ref, (stored as TtlValue).v);
    else if (kind === 'list') out.set(ref, (stored as TtlValue[]).map((e) => e.v));
    else out.set(ref, new Map([...(stored as Map<unknown, TtlValue>)].map(([k, e]) => [k, e.v])));
  }
  return out;
}
