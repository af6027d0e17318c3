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
 * Copy-on-write, per entry (Flink's CopyOnWriteStateMap keeps old versions
 * of entries the same way): `hold()` gives a snapshot the current tables and,
 * per table, a `before` map, empty at first. Until the snapshot releases the
 * group, the first write of a key to a held table records what the key had
 * at the hold (`ABSENT` when it had no entry) in `before`, so the snapshot
 * reads the table as it was: live entries not in `before`, then the recorded
 * ones (`heldTable`). Nothing else is copied, so writing one key after the
 * barrier costs one entry, not the group's table. Writers call `writable`.
 *
 * Copy on read: a user function may mutate in place an object it read from
 * state (read, modify, `update`; a reduce function's accumulator; a list's
 * `add` pushes onto the stored array), so the object a snapshot records must
 * not be reachable from the live table either: when the key's stored value
 * is an object, the first touch records the original for the snapshot and
 * puts a deep copy in the live table (a list's elements, a map state's
 * values — its user keys are kept, they compare by identity — copied with
 * the record copier, state-copy.ts). Readers of an object value take the
 * table through `writable` too while it is held (heap-states.ts). A write
 * that replaces the whole entry (`replacing`) needs no copy. Each key is
 * touched this way at most once per snapshot.
 */

import { copyOfState } from './state-copy.js';

export type StateKind = 'value' | 'list' | 'map';

/** Key reference → stored value (see the layout above). */
export type StateTable = Map<unknown, unknown>;

/** What `before` records for a key that had no entry at the hold. */
export const ABSENT: unique symbol = Symbol('absent at the hold');

/** Per held table, the stored value at the hold of each key written since (or ABSENT). */
export type EntriesBefore = Map<unknown, unknown>;

/** The tables of one key group at one point in time (a snapshot's view; read them with `heldTable`). */
export interface HeldTables {
  readonly plain: readonly (StateTable | undefined)[];
  readonly composite: readonly (StateTable | undefined)[];
  /** Per table of the view, the entries it had at the hold that were written since. */
  readonly before: ReadonlyMap<StateTable, EntriesBefore>;
}

/**
 * `table` of `view` as it was at the hold: itself when no key was written
 * since, else a new Map of its current entries with the recorded ones put
 * back (entry order may differ from the hold's; order carries no meaning).
 * `new Map(table)` copies in V8's builtin, about twice as fast as a loop
 * that skips the recorded keys.
 */
export function heldTable(view: HeldTables, table: StateTable | undefined): StateTable | undefined {
  if (table === undefined) return undefined;
  const before = view.before.get(table);
  if (before === undefined || before.size === 0) return table;
  const held: StateTable = new Map(table);
  for (const [ref, stored] of before) {
    if (stored === ABSENT) held.delete(ref);
    else held.set(ref, stored);
  }
  return held;
}

export class KeyGroupStore {
  readonly plain: (StateTable | undefined)[] = [];
  readonly composite: (StateTable | undefined)[] = [];
  /** Held tables → the `before` map of each snapshot holding them; undefined when none is held. */
  shared: Map<StateTable, EntriesBefore[]> | undefined = undefined;

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
   * The table of state `id` for a write (or an object read) of key `ref`:
   * created if missing; when snapshots hold it, `ref`'s entry is first
   * recorded for them and, unless the write is `replacing` it, its object
   * value replaced by a deep copy (`kind` says how deep; see the class comment).
   */
  writable(id: number, composite: boolean, kind: StateKind, ref: unknown, replacing = false): StateTable {
    const tables = composite ? this.composite : this.plain;
    const table = tables[id];
    if (table === undefined) return this.table(id, composite);
    const holders = this.shared?.get(table);
    if (holders !== undefined) recordBeforeWrite(table, holders, ref, kind, replacing);
    return table;
  }

  /** The current tables, read as they are now until `release` (see the class comment). */
  hold(): HeldTables {
    const before = new Map<StateTable, EntriesBefore>();
    const view = { plain: this.plain.slice(), composite: this.composite.slice(), before };
    for (const table of [...view.plain, ...view.composite]) {
      if (table === undefined) continue;
      const entries: EntriesBefore = new Map();
      before.set(table, entries);
      this.shared ??= new Map();
      const holders = this.shared.get(table);
      if (holders === undefined) this.shared.set(table, [entries]);
      else holders.push(entries);
    }
    return view;
  }

  /** Ends a `hold`; once nothing is held, writes go straight to the tables again. */
  release(view: HeldTables): void {
    const shared = this.shared;
    if (shared === undefined) return;
    for (const [table, entries] of view.before) {
      const holders = shared.get(table);
      if (holders === undefined) continue;
      const at = holders.indexOf(entries);
      if (at >= 0) holders.splice(at, 1);
      if (holders.length === 0) shared.delete(table);
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

/** Records `ref`'s entry for every holder that has not yet, then gives the live table its own copy of an object value. */
function recordBeforeWrite(table: StateTable, holders: readonly EntriesBefore[], ref: unknown, kind: StateKind, replacing: boolean): void {
  let stored: unknown;
  let looked = false;
  for (const before of holders) {
    if (before.has(ref)) continue;
    if (!looked) {
      stored = table.get(ref);
      looked = true;
    }
    before.set(ref, stored === undefined ? ABSENT : stored);
  }
  if (!looked || replacing || typeof stored !== 'object' || stored === null) return;
  table.set(ref, copyOfEntry(stored, kind));
}

/** A deep copy of a stored entry: no object in it is shared with `stored` (map state keeps its user keys, which compare by identity). */
function copyOfEntry(stored: object, kind: StateKind): unknown {
  if (kind === 'value') return copyOfState(stored);
  if (kind === 'list') return (stored as unknown[]).map(copyOfState);
  const values = new Map<unknown, unknown>();
  for (const [key, value] of stored as Map<unknown, unknown>) values.set(key, copyOfState(value));
  return values;
}
