/**
 * The state of one key group: for every registered state (by its id in the
 * backend's registry), one table from key reference to the key's value.
 *
 * Layout: `plain[id]` holds primitive keys, `composite[id]` holds composite keys
 * by canonical string (key-ref.ts); a table is created on first write. What a
 * table maps to depends on the state's kind: the value itself (value state),
 * a non-empty array (list state) or a non-empty Map (map state).
 *
 * Invariant: a table never holds `undefined`, an empty list or an empty map —
 * clearing deletes the entry — so a table's size is its number of keys.
 *
 * Copy-on-write: `hold()` gives a snapshot the current tables; until it is
 * released, the first write to a held table replaces it with a copy, so the
 * snapshot's tables never change. Writers call `writable`.
 *
 * Copy on read: a user function may mutate in place an object it read from
 * state (read, modify, `update`; a reduce function's accumulator), so the
 * values must not be shared either. The copy of a held table is deep — every
 * object value (a list's elements, a map state's values) is copied, with the
 * record copier (state-copy.ts) — and readers of an object value take the
 * table through `writable` too while it is held (heap-states.ts). This is
 * what Flink's CopyOnWriteStateMap does per entry (it copies a state on
 * access when a snapshot still holds its version), here per key group and
 * state: one pass over the table, once per snapshot, and nothing per read.
 */

import { copyOfState } from './state-copy.js';

export type StateKind = 'value' | 'list' | 'map';

/** Key reference → stored value (see the layout above). */
export type StateTable = Map<unknown, unknown>;

/** The tables of one key group at one point in time (a snapshot's view). */
export interface HeldTables {
  readonly plain: readonly (StateTable | undefined)[];
  readonly composite: readonly (StateTable | undefined)[];
}

export class KeyGroupStore {
  readonly plain: (StateTable | undefined)[] = [];
  readonly composite: (StateTable | undefined)[] = [];
  /** Tables held by snapshots → number of snapshots holding each; undefined when none is held. */
  shared: Map<StateTable, number> | undefined = undefined;

  constructor(readonly keyGroup: number) {}

  /** The table of state `id` for this kind of key, created if missing. */
  table(id: number, composite: boolean): StateTable {
    const tables = composite ? this.composite : this.plain;
    let table = tables[id];
    if (table === undefined) {
      table = new Map();
      tables[id] = table;
    }
    return table;
  }

  /**
   * The table of state `id` for a write: created if missing, and first
   * replaced by a copy when a snapshot holds it (`kind` says how deep).
   */
  writable(id: number, composite: boolean, kind: StateKind): StateTable {
    const tables = composite ? this.composite : this.plain;
    const table = tables[id];
    if (table === undefined) return this.table(id, composite);
    if (this.shared === undefined || !this.shared.has(table)) return table;
    const copy = copyTable(table, kind);
    tables[id] = copy;
    return copy;
  }

  /** The current tables, unchanged by later writes until `release` (see the class comment). */
  hold(): HeldTables {
    const view = { plain: this.plain.slice(), composite: this.composite.slice() };
    for (const table of [...view.plain, ...view.composite]) {
      if (table === undefined) continue;
      this.shared ??= new Map();
      this.shared.set(table, (this.shared.get(table) ?? 0) + 1);
    }
    return view;
  }

  /** Ends a `hold`; once nothing is held, writes go straight to the tables again. */
  release(view: HeldTables): void {
    const shared = this.shared;
    if (shared === undefined) return;
    for (const table of [...view.plain, ...view.composite]) {
      if (table === undefined) continue;
      const holders = shared.get(table);
      if (holders === undefined) continue;
      if (holders <= 1) shared.delete(table);
      else shared.set(table, holders - 1);
    }
    if (shared.size === 0) this.shared = undefined;
  }

  /** Number of (key, state) entries over all states. */
  entryCount(): number {
    let n = 0;
    for (const t of this.plain) n += t?.size ?? 0;
    for (const t of this.composite) n += t?.size ?? 0;
    return n;
  }

  /**
   * Number of distinct keys with any state. O(1) when at most one state per
   * kind of key has entries, else O(entries) (a set union): for metrics, not per record.
   */
  keyCount(): number {
    return distinct(this.plain) + distinct(this.composite);
  }
}

function distinct(tables: readonly (StateTable | undefined)[]): number {
  const used = tables.filter((t): t is StateTable => t !== undefined && t.size > 0);
  if (used.length <= 1) return used[0]?.size ?? 0;
  const keys = new Set<unknown>();
  for (const t of used) for (const k of t.keys()) keys.add(k);
  return keys.size;
}

/** A held table's copy for the live state: no object in it is shared with the held one (map state keeps its user keys, which compare by identity). */
function copyTable(table: StateTable, kind: StateKind): StateTable {
  if (kind === 'value') {
    const copy = new Map(table);
    for (const [ref, value] of table) if (typeof value === 'object' && value !== null) copy.set(ref, copyOfState(value));
    return copy;
  }
  const copy: StateTable = new Map();
  if (kind === 'list') {
    for (const [ref, list] of table) copy.set(ref, (list as unknown[]).map(copyOfState));
  } else {
    for (const [ref, map] of table) {
      const values = new Map<unknown, unknown>();
      for (const [key, value] of map as Map<unknown, unknown>) values.set(key, copyOfState(value));
      copy.set(ref, values);
    }
  }
  return copy;
}
