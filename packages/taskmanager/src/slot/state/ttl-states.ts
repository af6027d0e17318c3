/**
 * The state objects of states with TTL (Flink's TtlValueState, TtlListState,
 * TtlMapState): the same contracts as heap-states.ts, over entries stored as
 * `{ v, t }` (ttl.ts). Every access first runs one step of incremental
 * cleanup when configured, then reads the clock once.
 *
 * Per access, as Flink's AbstractTtlDecorator:
 *  - an expired entry found by a read is removed; it is returned only with
 *    `ReturnExpiredIfNotCleanedUp` (that one time);
 *  - a read of an unexpired entry with `OnReadAndWrite` sets its timestamp to now;
 *  - every write stamps what it writes with now.
 * Reads that change the table (removal, a new timestamp) take it through the
 * backend's copy-on-write, as writes do, so a snapshot keeps its moment.
 * `ListState.get()` returns a new array; MapState iterators iterate a list of
 * the entries taken at the call (not a live view as without TTL).
 */
import type { ListState, MapState, ValueState } from '@rivulet/api';
import type { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';
import { EMPTY_LIST, readableTable, writableTable } from './heap-states.js';
import { copyOfState } from './state-copy.js';
import type { TtlIncrementalCleanup } from './ttl-incremental-cleanup.js';
import { isExpired, wrap, type StateTtl, type TtlValue } from './ttl.js';

abstract class TtlStateBase {
  constructor(
    protected readonly backend: HeapKeyedStateBackend,
    protected readonly id: number,
    readonly name: string,
    protected readonly ttl: StateTtl,
    private readonly cleanup: TtlIncrementalCleanup | undefined,
  ) {}

  /** Incremental cleanup, then the time of this access. */
  protected accessed(): number {
    const now = this.backend.clock();
    this.cleanup?.step(now);
    return now;
  }

  /** The current key's table for a read that may hand out objects (copy on read while a snapshot holds it); undefined without entries. */
  protected readTable(kind: 'ValueState' | 'ListState' | 'MapState', method: string): Map<unknown, unknown> | undefined {
    const b = this.backend;
    const table = b.tables[this.id];
    if (table === undefined) {
      b.requireKey(`${kind} ${this.name}.${method}()`);
      return undefined;
    }
    return b.store!.shared === undefined ? table : readableTable(b, table, this.id, kind, this.name, method);
  }

  protected writeTable(kind: 'ValueState' | 'ListState' | 'MapState', method: string): Map<unknown, unknown> {
    return writableTable(this.backend, this.id, kind, this.name, method);
  }

  protected expired(entry: TtlValue, now: number): boolean {
    return isExpired(entry, this.ttl.timeToLive, now);
  }
}

export class TtlValueState<T> extends TtlStateBase implements ValueState<T> {
  constructor(
    backend: HeapKeyedStateBackend,
    id: number,
    name: string,
    ttl: StateTtl,
    cleanup: TtlIncrementalCleanup | undefined,
    private readonly defaultValue: T | undefined,
  ) {
    super(backend, id, name, ttl, cleanup);
  }

  value(): T | undefined {
    const table = this.readTable('ValueState', 'value');
    const now = this.accessed();
    const ref = this.backend.ref;
    const entry = table?.get(ref) as TtlValue | undefined;
    if (entry === undefined) return copyOfState(this.defaultValue);
    if (this.expired(entry, now)) {
      this.writeTable('ValueState', 'value').delete(ref);
      return this.ttl.returnExpired ? (entry.v as T) : copyOfState(this.defaultValue);
    }
    if (this.ttl.updateOnRead) (this.writeTable('ValueState', 'value').get(ref) as TtlValue).t = now;
    return entry.v as T;
  }

  update(value: T): void {
    if (value === undefined) return this.clear();
    const now = this.accessed();
    this.writeTable('ValueState', 'update').set(this.backend.ref, wrap(value, now));
  }

  clear(): void {
    const b = this.backend;
    if (b.tables[this.id] === undefined) b.requireKey(`ValueState ${this.name}.clear()`);
    else {
      this.accessed();
      this.writeTable('ValueState', 'clear').delete(b.ref);
    }
  }
}

export class TtlListState<T> extends TtlStateBase implements ListState<T> {
  /** The visible elements, in order, as a new array. */
  get(): readonly T[] {
    const table = this.readTable('ListState', 'get');
    const now = this.accessed();
    const ref = this.backend.ref;
    const list = table?.get(ref) as TtlValue[] | undefined;
    if (list === undefined) return EMPTY_LIST;
    const visible: T[] = [];
    let expired = 0;
    for (const e of list) {
      if (this.expired(e, now)) {
        expired++;
        if (this.ttl.returnExpired) visible.push(e.v as T);
      } else {
        visible.push(e.v as T);
      }
    }
    if (expired > 0 || this.ttl.updateOnRead) {
      const writable = this.writeTable('ListState', 'get');
      const live = (writable.get(ref) as TtlValue[]).filter((e) => !this.expired(e, now));
      if (this.ttl.updateOnRead) for (const e of live) e.t = now;
      if (live.length === 0) writable.delete(ref);
      else writable.set(ref, live);
    }
    return visible;
  }

  add(value: T): void {
    const now = this.accessed();
    const table = this.writeTable('ListState', 'add');
    const list = table.get(this.backend.ref) as TtlValue[] | undefined;
    if (list === undefined) table.set(this.backend.ref, [wrap(value, now)]);
    else list.push(wrap(value, now));
  }

  update(values: readonly T[]): void {
    if (values.length === 0) return this.clear();
    const now = this.accessed();
    this.writeTable('ListState', 'update').set(this.backend.ref, values.map((v) => wrap(v, now)));
  }

  clear(): void {
    const b = this.backend;
    if (b.tables[this.id] === undefined) b.requireKey(`ListState ${this.name}.clear()`);
    else {
      this.accessed();
      this.writeTable('ListState', 'clear').delete(b.ref);
    }
  }
}

export class TtlMapState<K, V> extends TtlStateBase implements MapState<K, V> {
  get(key: K): V | undefined {
    return this.getEntry(key, 'get')?.v as V | undefined;
  }

  /** As Flink: an expired entry counts only with ReturnExpiredIfNotCleanedUp (and is removed). */
  contains(key: K): boolean {
    return this.getEntry(key, 'contains') !== undefined;
  }

  put(key: K, value: V): void {
    const now = this.accessed();
    const table = this.writeTable('MapState', 'put');
    const map = table.get(this.backend.ref) as Map<K, TtlValue> | undefined;
    if (map === undefined) table.set(this.backend.ref, new Map([[key, wrap(value, now)]]));
    else map.set(key, wrap(value, now));
  }

  remove(key: K): void {
    const map = this.readTable('MapState', 'remove')?.get(this.backend.ref) as Map<K, TtlValue> | undefined;
    this.accessed();
    if (map?.has(key) !== true) return;
    this.removeKeys([key], 'remove');
  }

  entries(): IterableIterator<[K, V]> {
    return this.visibleEntries('entries').values();
  }

  keys(): IterableIterator<K> {
    return this.visibleEntries('keys').map(([k]) => k).values();
  }

  values(): IterableIterator<V> {
    return this.visibleEntries('values').map(([, v]) => v).values();
  }

  isEmpty(): boolean {
    return this.visibleEntries('isEmpty').length === 0;
  }

  clear(): void {
    const b = this.backend;
    if (b.tables[this.id] === undefined) b.requireKey(`MapState ${this.name}.clear()`);
    else {
      this.accessed();
      this.writeTable('MapState', 'clear').delete(b.ref);
    }
  }

  private getEntry(key: K, method: string): TtlValue | undefined {
    const map = this.readTable('MapState', method)?.get(this.backend.ref) as Map<K, TtlValue> | undefined;
    const now = this.accessed();
    const entry = map?.get(key);
    if (entry === undefined) return undefined;
    if (this.expired(entry, now)) {
      this.removeKeys([key], method);
      return this.ttl.returnExpired ? entry : undefined;
    }
    if (this.ttl.updateOnRead) {
      ((this.writeTable('MapState', method).get(this.backend.ref) as Map<K, TtlValue>).get(key) as TtlValue).t = now;
    }
    return entry;
  }

  /** The entries a read sees now; expired ones are removed, and with OnReadAndWrite the others get now as timestamp. */
  private visibleEntries(method: string): [K, V][] {
    const map = this.readTable('MapState', method)?.get(this.backend.ref) as Map<K, TtlValue> | undefined;
    const now = this.accessed();
    if (map === undefined) return [];
    const visible: [K, V][] = [];
    const expired: K[] = [];
    for (const [k, e] of map) {
      if (this.expired(e, now)) {
        expired.push(k);
        if (this.ttl.returnExpired) visible.push([k, e.v as V]);
      } else {
        visible.push([k, e.v as V]);
      }
    }
    if (expired.length > 0) this.removeKeys(expired, method);
    if (this.ttl.updateOnRead && method !== 'isEmpty' && visible.length > expired.length) {
      const live = this.writeTable('MapState', method).get(this.backend.ref) as Map<K, TtlValue> | undefined;
      for (const e of live?.values() ?? []) e.t = now;
    }
    return visible;
  }

  private removeKeys(keys: readonly K[], method: string): void {
    const table = this.writeTable('MapState', method);
    const map = table.get(this.backend.ref) as Map<K, TtlValue> | undefined;
    if (map === undefined) return;
    for (const k of keys) map.delete(k);
    if (map.size === 0) table.delete(this.backend.ref);
  }
}
