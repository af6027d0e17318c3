/**
 * The state objects handed to user functions: views of one state's tables,
 * scoped to the backend's current key (Flink semantics). They hold no data.
 *
 * Contracts shared by all three:
 *  - every call reads or writes only the current key's entry; without a
 *    current key it throws NoCurrentKeyError;
 *  - values are stored by reference (heap backend): a function may mutate
 *    what `value()` / `get()` / the iterators return (and write it back with
 *    `update` / `put`); while a snapshot holds the key's table, a read of an
 *    object takes the key's entry through the backend's copy-on-write first,
 *    whose copy is deep (`readableTable`), so the snapshot keeps its moment;
 *  - an object default value of a value state is copied on every read of a
 *    key without a value (as Flink copies it): mutating it changes nothing;
 *  - an entry that becomes empty (`undefined` value, empty list, empty map) is
 *    deleted, so it no longer counts as a key and is not snapshotted;
 *  - every write takes its table from `writableTable` (below), which sends it
 *    through the backend's copy-on-write while a snapshot holds the group.
 */
import type { ListState, MapState, ValueState } from '@rivulet/api';
import type { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';
import { copyOfState } from './state-copy.js';

export const EMPTY_LIST: readonly never[] = Object.freeze([]);
export const EMPTY_MAP: ReadonlyMap<unknown, unknown> = new Map<unknown, unknown>();

/**
 * The current key's table of state `id` for a write. Fast path: the table
 * exists and no snapshot holds anything of this key group. `replacing`: the
 * write sets or deletes the key's whole entry, so a held entry needs no copy.
 */
export function writableTable(
  b: HeapKeyedStateBackend,
  id: number,
  kind: 'ValueState' | 'ListState' | 'MapState',
  name: string,
  method: string,
  replacing = false,
): Map<unknown, unknown> {
  const table = b.tables[id];
  if (table !== undefined && b.store!.shared === undefined) return table;
  return b.writeTable(id, () => `${kind} ${name}.${method}()`, replacing);
}

/**
 * Copy on read: the current key's table of state `id` for a read that hands
 * an object to user code while a snapshot holds something of this key group
 * (`shared` is set): in a held table, the key's entry is first recorded for
 * the snapshot and replaced by its deep copy (key-group-store.ts), so nothing
 * the caller mutates is in the snapshot.
 */
export function readableTable(
  b: HeapKeyedStateBackend,
  table: Map<unknown, unknown>,
  id: number,
  kind: 'ValueState' | 'ListState' | 'MapState',
  name: string,
  method: string,
): Map<unknown, unknown> {
  return b.store!.shared!.has(table) ? b.writeTable(id, () => `${kind} ${name}.${method}()`) : table;
}

/** `update(undefined)` clears, as Flink's `update(null)`. */
export class HeapValueState<T> implements ValueState<T> {
  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly id: number,
    readonly name: string,
    private readonly defaultValue: T | undefined,
  ) {}

  value(): T | undefined {
    const b = this.backend;
    const table = b.tables[this.id];
    if (table === undefined) {
      b.requireKey(`ValueState ${this.name}.value()`);
      return copyOfState(this.defaultValue);
    }
    const v = table.get(b.ref);
    if (v === undefined) return copyOfState(this.defaultValue);
    if (typeof v === 'object' && v !== null && b.store!.shared !== undefined) {
      return readableTable(b, table, this.id, 'ValueState', this.name, 'value').get(b.ref) as T;
    }
    return v as T;
  }

  update(value: T): void {
    if (value === undefined) return this.clear();
    const b = this.backend;
    writableTable(b, this.id, 'ValueState', this.name, 'update', true).set(b.ref, value);
  }

  clear(): void {
    const b = this.backend;
    if (b.tables[this.id] === undefined) b.requireKey(`ValueState ${this.name}.clear()`);
    else writableTable(b, this.id, 'ValueState', this.name, 'clear', true).delete(b.ref);
  }
}

/** The stored array is the state; `update` stores a copy of its argument. */
export class HeapListState<T> implements ListState<T> {
  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly id: number,
    readonly name: string,
  ) {}

  get(): readonly T[] {
    const b = this.backend;
    const table = b.tables[this.id];
    if (table === undefined) {
      b.requireKey(`ListState ${this.name}.get()`);
      return EMPTY_LIST;
    }
    const readable = b.store!.shared === undefined ? table : readableTable(b, table, this.id, 'ListState', this.name, 'get');
    return (readable.get(b.ref) as T[] | undefined) ?? EMPTY_LIST;
  }

  add(value: T): void {
    const b = this.backend;
    const table = writableTable(b, this.id, 'ListState', this.name, 'add');
    const list = table.get(b.ref) as T[] | undefined;
    if (list === undefined) table.set(b.ref, [value]);
    else list.push(value);
  }

  /** Replaces the list with a copy of `values`; an empty list clears. */
  update(values: readonly T[]): void {
    if (values.length === 0) return this.clear();
    const b = this.backend;
    const table = writableTable(b, this.id, 'ListState', this.name, 'update', true);
    table.set(b.ref, values.slice());
  }

  clear(): void {
    const b = this.backend;
    if (b.tables[this.id] === undefined) b.requireKey(`ListState ${this.name}.clear()`);
    else writableTable(b, this.id, 'ListState', this.name, 'clear', true).delete(b.ref);
  }
}

/**
 * A JS `Map` per key: user keys compare by SameValueZero (objects by
 * identity, so prefer primitive user keys: after a restore objects are new).
 * Iterators are live views of the current key's map.
 */
export class HeapMapState<K, V> implements MapState<K, V> {
  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly id: number,
    readonly name: string,
  ) {}

  get(key: K): V | undefined {
    return this.current('get()')?.get(key);
  }

  put(key: K, value: V): void {
    const b = this.backend;
    const table = writableTable(b, this.id, 'MapState', this.name, 'put');
    const map = table.get(b.ref) as Map<K, V> | undefined;
    if (map === undefined) table.set(b.ref, new Map([[key, value]]));
    else map.set(key, value);
  }

  contains(key: K): boolean {
    return this.current('contains()')?.has(key) ?? false;
  }

  remove(key: K): void {
    if (this.current('remove()')?.has(key) !== true) return;
    const b = this.backend;
    const table = writableTable(b, this.id, 'MapState', this.name, 'remove');
    const map = table.get(b.ref) as Map<K, V>;
    map.delete(key);
    if (map.size === 0) table.delete(b.ref);
  }

  entries(): IterableIterator<[K, V]> {
    return (this.current('entries()') ?? (EMPTY_MAP as ReadonlyMap<K, V>)).entries();
  }

  keys(): IterableIterator<K> {
    return (this.current('keys()') ?? (EMPTY_MAP as ReadonlyMap<K, V>)).keys();
  }

  values(): IterableIterator<V> {
    return (this.current('values()') ?? (EMPTY_MAP as ReadonlyMap<K, V>)).values();
  }

  isEmpty(): boolean {
    return this.current('isEmpty()') === undefined;
  }

  clear(): void {
    const b = this.backend;
    if (b.tables[this.id] === undefined) b.requireKey(`MapState ${this.name}.clear()`);
    else writableTable(b, this.id, 'MapState', this.name, 'clear', true).delete(b.ref);
  }

  private current(what: string): Map<K, V> | undefined {
    const b = this.backend;
    const table = b.tables[this.id];
    if (table === undefined) {
      b.requireKey(`MapState ${this.name}.${what}`);
      return undefined;
    }
    const readable = b.store!.shared === undefined ? table : readableTable(b, table, this.id, 'MapState', this.name, what.replace('()', ''));
    return readable.get(b.ref) as Map<K, V> | undefined;
  }
}
