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
 */

export type StateKind = 'value' | 'list' | 'map';

/** Key reference → stored value (see the layout above). */
export type StateTable = Map<unknown, unknown>;

export class KeyGroupStore {
  readonly plain: (StateTable | undefined)[] = [];
  readonly composite: (StateTable | undefined)[] = [];

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
