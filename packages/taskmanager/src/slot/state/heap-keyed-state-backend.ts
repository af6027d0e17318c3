/**
 * Keyed state on the JavaScript heap, stored per key group (Flink's
 * HeapKeyedStateBackend, with copy-on-write per entry: a snapshot is taken
 * in O(groups) and serialized later, group by group).
 *
 * Invariants:
 *  - the backend holds state only for the key groups it owns; `setCurrentKey`
 *    of a key in any other group throws KeyGroupNotOwnedError and leaves no
 *    current key;
 *  - state objects are scoped to the current key: they read and write the
 *    entry of (current key group, state, current key) and nothing else;
 *  - one name is one state: asking again returns the same object, asking for
 *    another kind throws StateKindMismatchError;
 *  - a snapshot (`snapshot`, `snapshotKeyGroup`) yields the bytes of the
 *    moment it was taken, whatever is written afterwards.
 *
 * Hot path (one `setCurrentKey` + one state access per record): a primitive
 * key costs one murmur3 hash and one array lookup here, then one `Map` lookup
 * in the state; the same primitive key twice in a row skips the hash.
 */
import {
  encodeKey,
  keyHash,
  murmur3Bytes,
  checkMaxParallelism,
  type Key,
} from '@rivulet/common/task-runtime';
import type {
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ResolvedStateTtl,
  ValueState,
  ValueStateDescriptor,
} from '@rivulet/api';
import { stateDescriptorOf } from './state-descriptor.js';
import { TtlListState, TtlMapState, TtlValueState } from './ttl-states.js';
import { TtlIncrementalCleanup } from './ttl-incremental-cleanup.js';
import { describeTtl, sameTtl, stateTtlOf, unexpiredTable, unwrapTable, wrapTable, type StateTtl } from './ttl.js';
import {
  KeyGroupNotOwnedError,
  NoCurrentKeyError,
  StateSnapshotError,
  StateKindMismatchError,
  StateTtlMismatchError,
} from './errors.js';
import { HeapListState, HeapMapState, HeapValueState } from './heap-states.js';
import { KeyGroupStore, heldTable, type StateKind, type StateTable } from './key-group-store.js';
import { keyGroupSnapshotOf, type KeyGroupSnapshot } from './key-group-snapshot.js';
import { compositeRef } from './key-ref.js';
import {
  KEYED_STATE_FORMAT,
  decodeStateSnapshot,
  encodeSnapshot,
  type StateSnapshotEntry,
} from './snapshot-codec.js';

export interface HeapKeyedStateBackendOptions {
  /** The operator's stable id (uid), named in errors. */
  readonly operatorId: string;
  /** Number of key groups of the job's state, 1..32768; fixed for the life of the state. */
  readonly maxParallelism: number;
  /** Key groups this subtask owns (any order, duplicates ignored). */
  readonly keyGroups: readonly number[];
  /** Processing time for state TTL, ms since epoch. @default Date.now */
  readonly clock?: () => number;
}

/** Size of one key group, for metrics. */
export interface KeyGroupStats {
  readonly keyGroup: number;
  /** Distinct keys with any state. */
  readonly keys: number;
  /** (key, state) pairs. */
  readonly entries: number;
  /** Size of the group's last snapshot or restore; undefined before either. */
  readonly snapshotBytes: number | undefined;
}

interface Registration {
  readonly id: number;
  readonly name: string;
  readonly kind: StateKind;
  state: ValueState<unknown> | ListState<unknown> | MapState<unknown, unknown> | undefined;
  /** The TTL the state was asked for with; undefined without TTL or before a getter asked (restored only). */
  ttl: StateTtl | undefined;
  /** Whether the tables hold TTL-wrapped entries `{ v, t }` (ttl.ts). */
  wrapped: boolean;
  cleanup: TtlIncrementalCleanup | undefined;
}

const NO_TABLES: readonly (StateTable | undefined)[] = Object.freeze([]);

export class HeapKeyedStateBackend {
  readonly operatorId: string;
  readonly maxParallelism: number;
  private readonly stores: (KeyGroupStore | undefined)[];
  private readonly registry = new Map<string, Registration>();
  private readonly registrations: Registration[] = [];
  private readonly lastSnapshotBytes = new Map<number, number>();
  private readonly removalListeners: ((groups: readonly number[]) => void)[] = [];
  /** Incremental TTL cleanups that also run once per record (`runCleanupForEveryRecord`). */
  private readonly perRecordCleanups: TtlIncrementalCleanup[] = [];
  /** Whether `cleanupExpiredPerRecord` has work: the keyed operator calls it per record only then. */
  hasPerRecordTtlCleanup = false;
  /** Processing time for TTL (ms since epoch). */
  readonly clock: () => number;

  // The current key. `store` is undefined exactly when there is none.
  private key: unknown = undefined;
  private group = -1;
  /** @internal Store of the current key group. */
  store: KeyGroupStore | undefined = undefined;
  /** @internal Reference of the current key (key-ref.ts). */
  ref: unknown = undefined;
  /** @internal Whether the current key is composite. */
  composite = false;
  /** @internal The current store's tables for the current kind of key (NO_TABLES without a key). */
  tables: readonly (StateTable | undefined)[] = NO_TABLES;

  constructor(options: HeapKeyedStateBackendOptions) {
    if (typeof options.operatorId !== 'string' || options.operatorId === '') {
      throw new TypeError('operatorId must be a non-empty string');
    }
    this.operatorId = options.operatorId;
    this.clock = options.clock ?? Date.now;
    this.maxParallelism = checkMaxParallelism(options.maxParallelism);
    this.stores = new Array<KeyGroupStore | undefined>(this.maxParallelism).fill(undefined);
    this.addKeyGroups(options.keyGroups);
  }

  /**
   * Makes `key` the scope of every state access until the next call. Throws
   * KeyTypeError for a value that is not a key and KeyGroupNotOwnedError for
   * a key of a group this subtask does not own (a routing bug).
   */
  setCurrentKey(key: unknown): void {
    if (typeof key === 'object') return this.setCompositeKey(key);
    if (key === this.key && this.store !== undefined) return;
    const group = keyHash(key) % this.maxParallelism;
    const store = this.stores[group];
    if (store === undefined) this.notOwned(key, group);
    this.key = key;
    this.group = group;
    this.store = store;
    this.ref = key;
    this.composite = false;
    this.tables = store.plain;
  }

  /**
   * setCurrentKey for a key whose group the caller knows (the producer
   * routed the record by it, with the same max parallelism): a primitive key
   * skips the hash. `keyGroup` -1: unknown, hashed as setCurrentKey does.
   * A composite key is always hashed (its reference is its encoded bytes).
   */
  setCurrentKeyInGroup(key: unknown, keyGroup: number): void {
    if (keyGroup < 0 || typeof key === 'object') return this.setCurrentKey(key);
    if (key === this.key && this.store !== undefined) return;
    const store = this.stores[keyGroup];
    if (store === undefined) this.notOwned(key, keyGroup);
    this.key = key;
    this.group = keyGroup;
    this.store = store;
    this.ref = key;
    this.composite = false;
    this.tables = store.plain;
  }

  // Kept out of setCurrentKey so the primitive path stays small enough to inline.
  private setCompositeKey(key: object | null): void {
    const bytes = encodeKey(key);
    const group = murmur3Bytes(bytes) % this.maxParallelism;
    const store = this.stores[group];
    if (store === undefined) this.notOwned(key, group);
    this.key = key;
    this.group = group;
    this.store = store;
    this.ref = compositeRef(bytes);
    this.composite = true;
    this.tables = store.composite;
  }

  /** The current key; throws NoCurrentKeyError when there is none. */
  getCurrentKey(): Key {
    if (this.store === undefined) this.requireKey('getCurrentKey()');
    return this.key as Key;
  }

  /** Key group of the current key; -1 when there is none. */
  get currentKeyGroup(): number {
    return this.store === undefined ? -1 : this.group;
  }

  /** Drops the current key (state access throws until the next `setCurrentKey`). */
  clearCurrentKey(): void {
    this.key = undefined;
    this.group = -1;
    this.store = undefined;
    this.ref = undefined;
    this.composite = false;
    this.tables = NO_TABLES;
  }

  /**
   * Value state `name`; `defaultValue` (the first call's) is what `value()`
   * returns for a key without a value.
   */
  getValueState<T>(nameOrDescriptor: string | ValueStateDescriptor<T>, defaultValue?: T): ValueState<T> {
    const d = stateDescriptorOf(this.operatorId, 'getValueState', nameOrDescriptor, defaultValue);
    const r = this.registerWithTtl(d.name, 'value', d.ttl);
    r.state ??= r.ttl === undefined
      ? new HeapValueState<unknown>(this, r.id, d.name, d.defaultValue)
      : new TtlValueState<unknown>(this, r.id, d.name, r.ttl, r.cleanup, d.defaultValue);
    return r.state as ValueState<T>;
  }

  getListState<T>(nameOrDescriptor: string | ListStateDescriptor): ListState<T> {
    const d = stateDescriptorOf(this.operatorId, 'getListState', nameOrDescriptor, undefined);
    const r = this.registerWithTtl(d.name, 'list', d.ttl);
    r.state ??= r.ttl === undefined
      ? new HeapListState<unknown>(this, r.id, d.name)
      : new TtlListState<unknown>(this, r.id, d.name, r.ttl, r.cleanup);
    return r.state as ListState<T>;
  }

  getMapState<K, V>(nameOrDescriptor: string | MapStateDescriptor): MapState<K, V> {
    const d = stateDescriptorOf(this.operatorId, 'getMapState', nameOrDescriptor, undefined);
    const r = this.registerWithTtl(d.name, 'map', d.ttl);
    r.state ??= r.ttl === undefined
      ? new HeapMapState<unknown, unknown>(this, r.id, d.name)
      : new TtlMapState<unknown, unknown>(this, r.id, d.name, r.ttl, r.cleanup);
    return r.state as unknown as MapState<K, V>;
  }

  /**
   * Incremental TTL cleanup of the states configured with
   * `runCleanupForEveryRecord`: the keyed operator calls it once per record
   * when `hasPerRecordTtlCleanup` is set.
   */
  cleanupExpiredPerRecord(): void {
    const now = this.clock();
    for (const cleanup of this.perRecordCleanups) cleanup.step(now);
  }

  /** @internal The store of owned `keyGroup`, undefined when not owned (TTL cleanup). */
  storeOf(keyGroup: number): KeyGroupStore | undefined {
    return this.stores[keyGroup];
  }

  /** Names and kinds of every state registered so far (by a getter or a restore). */
  registeredStates(): { name: string; kind: StateKind }[] {
    return this.registrations.map(({ name, kind }) => ({ name, kind }));
  }

  /** Owned key groups, ascending. */
  ownedKeyGroups(): number[] {
    const owned: number[] = [];
    this.stores.forEach((s, g) => s !== undefined && owned.push(g));
    return owned;
  }

  isOwned(keyGroup: number): boolean {
    return this.stores[keyGroup] !== undefined;
  }

  /** Takes ownership of `groups`, empty; groups already owned keep their state. */
  addKeyGroups(groups: Iterable<number>): void {
    for (const g of groups) {
      this.checkGroup(g);
      this.stores[g] ??= new KeyGroupStore(g);
    }
  }

  /**
   * Drops `groups` and all their state (after a rescale moved them away);
   * groups not owned are ignored. Listeners (the timer service) drop theirs too.
   */
  removeKeyGroups(groups: Iterable<number>): void {
    const removed: number[] = [];
    for (const g of groups) {
      this.checkGroup(g);
      if (this.stores[g] === undefined) continue;
      this.stores[g] = undefined;
      this.lastSnapshotBytes.delete(g);
      removed.push(g);
      if (g === this.group) this.clearCurrentKey();
    }
    if (removed.length > 0) for (const listener of this.removalListeners) listener(removed);
  }

  /** Calls `listener` with the groups each `removeKeyGroups` actually removed. */
  onKeyGroupsRemoved(listener: (groups: readonly number[]) => void): void {
    this.removalListeners.push(listener);
  }

  /**
   * A point-in-time snapshot of owned `groups` (default: every owned group
   * that holds state), serialized later one group at a time
   * (key-group-snapshot.ts). Taking it touches no value: O(groups + states).
   */
  snapshot(groups: Iterable<number> = this.nonEmptyKeyGroups()): KeyGroupSnapshot {
    const encoders = new Map<number, () => Uint8Array>();
    const holds = new Map<number, { store: KeyGroupStore; view: ReturnType<KeyGroupStore['hold']> }>();
    // What each state is at the barrier: a later getter may add or remove TTL (and rewrap the live tables).
    const registrations = this.registrations.map(({ id, name, kind, wrapped, ttl }) => ({ id, name, kind, wrapped, timeToLive: ttl?.timeToLive }));
    const now = this.clock();
    for (const g of groups) {
      const store = this.requireOwned(g);
      if (holds.has(g)) continue;
      const view = store.hold();
      holds.set(g, { store, view });
      encoders.set(g, () => {
        const states: StateSnapshotEntry[] = [];
        for (const { id, name, kind, wrapped, timeToLive } of registrations) {
          // Expired entries are not written (Flink's cleanup in full snapshot), by the time the snapshot was taken.
          const live = (table: StateTable | undefined): StateTable | undefined =>
            table === undefined || timeToLive === undefined ? table : unexpiredTable(table, kind, timeToLive, now);
          const plain = live(heldTable(view, view.plain[id]));
          const composite = live(heldTable(view, view.composite[id]));
          if ((plain?.size ?? 0) + (composite?.size ?? 0) === 0) continue;
          states.push({ name, kind, ...(wrapped ? { ttl: true } : {}), plain: plain ?? new Map(), composite: composite ?? new Map() });
        }
        const bytes = encodeSnapshot({ format: KEYED_STATE_FORMAT, maxParallelism: this.maxParallelism, keyGroup: g, states }, { shared: true });
        if (this.stores[g] === store) this.lastSnapshotBytes.set(g, bytes.byteLength);
        return bytes;
      });
    }
    return keyGroupSnapshotOf(encoders, (g) => {
      const held = holds.get(g);
      if (held !== undefined) held.store.release(held.view);
    });
  }

  /** Owned key groups with at least one entry, ascending (an empty group needs no snapshot bytes). */
  nonEmptyKeyGroups(): number[] {
    const groups: number[] = [];
    this.stores.forEach((s, g) => s !== undefined && s.entryCount() > 0 && groups.push(g));
    return groups;
  }

  /** All state of owned `keyGroup` as self-contained bytes with their own ArrayBuffer (snapshot-codec.ts), at once. */
  snapshotKeyGroup(keyGroup: number): Uint8Array {
    return new Uint8Array(this.snapshot([keyGroup]).encode(keyGroup));
  }

  /** `snapshotKeyGroup` of each of `groups` (default: every owned group), at one point in time. */
  snapshotKeyGroups(groups: Iterable<number> = this.ownedKeyGroups()): Map<number, Uint8Array> {
    const snapshot = this.snapshot(groups);
    return new Map(snapshot.keyGroups.map((g) => [g, new Uint8Array(snapshot.encode(g))]));
  }

  /**
   * Replaces the state of owned `keyGroup` with `bytes` from `snapshotKeyGroup`
   * (same maxParallelism and group). States not registered yet are registered
   * with the snapshot's kind. Clears the current key. Throws StateSnapshotError.
   */
  restoreKeyGroup(keyGroup: number, bytes: Uint8Array): void {
    this.requireOwned(keyGroup);
    let entries: readonly StateSnapshotEntry[];
    try {
      entries = decodeStateSnapshot(bytes, this.maxParallelism, keyGroup).states;
    } catch (cause) {
      throw new StateSnapshotError(this.operatorId, keyGroup, errorText(cause), { cause });
    }
    const store = new KeyGroupStore(keyGroup);
    const now = this.clock();
    for (const entry of entries) {
      const wrapped = entry.ttl === true;
      const r = this.register(entry.name, entry.kind, wrapped);
      // Entries written with TTL into a state now without (or the reverse) are unwrapped (wrapped, stamped now).
      const fit = (table: StateTable): StateTable =>
        wrapped === r.wrapped ? table : r.wrapped ? wrapTable(table, entry.kind, now) : unwrapTable(table, entry.kind, undefined, now);
      if (entry.plain.size > 0) store.plain[r.id] = fit(entry.plain);
      if (entry.composite.size > 0) store.composite[r.id] = fit(entry.composite);
    }
    this.stores[keyGroup] = store;
    this.lastSnapshotBytes.set(keyGroup, bytes.byteLength);
    this.clearCurrentKey();
  }

  /** Keys, entries and last snapshot size of owned `keyGroup`. */
  keyGroupStats(keyGroup: number): KeyGroupStats {
    const store = this.requireOwned(keyGroup);
    return {
      keyGroup,
      keys: store.keyCount(),
      entries: store.entryCount(),
      snapshotBytes: this.lastSnapshotBytes.get(keyGroup),
    };
  }

  /**
   * @internal The current key's table of state `id` for a write: created if
   * missing; while a snapshot holds it, the current key's entry is first
   * recorded for the snapshot, and copied unless the write is `replacing` it
   * (key-group-store.ts); throws without a key.
   */
  writeTable(id: number, what: () => string, replacing = false): StateTable {
    const store = this.store;
    if (store === undefined) throw new NoCurrentKeyError(this.operatorId, what());
    return store.writable(id, this.composite, this.registrations[id]!.kind, this.ref, replacing);
  }

  /** @internal Throws NoCurrentKeyError unless a key is set. */
  requireKey(what: string): void {
    if (this.store === undefined) throw new NoCurrentKeyError(this.operatorId, what);
  }

  /**
   * Registers (or finds) a state asked for by a getter with `ttl`. A state
   * handed out before must have been asked with the same TTL. A state known
   * only from a restore takes the getter's TTL: entries restored without TTL
   * are wrapped with now as their timestamp, entries restored with TTL into a
   * state without are unwrapped.
   */
  private registerWithTtl(name: string, kind: StateKind, ttl: ResolvedStateTtl | undefined): Registration {
    const r = this.register(name, kind, ttl !== undefined);
    if (r.state !== undefined) {
      if (!sameTtl(r.ttl?.config, ttl)) {
        throw new StateTtlMismatchError(this.operatorId, name, describeTtl(r.ttl?.config), describeTtl(ttl));
      }
      return r;
    }
    if (r.wrapped !== (ttl !== undefined)) this.rewrapTables(r, ttl !== undefined);
    r.ttl = ttl === undefined ? undefined : stateTtlOf(ttl);
    const incremental = ttl?.cleanup.incremental;
    if (incremental !== undefined && incremental !== false) {
      r.cleanup = new TtlIncrementalCleanup(this, r.id, kind, ttl!.timeToLive, incremental.cleanupSize);
      if (incremental.runCleanupForEveryRecord) {
        this.perRecordCleanups.push(r.cleanup);
        this.hasPerRecordTtlCleanup = true;
      }
    }
    return r;
  }

  /** Replaces (never mutates: a snapshot may hold them) every table of `r` by its wrapped or unwrapped form. */
  private rewrapTables(r: Registration, wrapped: boolean): void {
    const now = this.clock();
    for (const store of this.stores) {
      if (store === undefined) continue;
      for (const tables of [store.plain, store.composite]) {
        const table = tables[r.id];
        if (table === undefined) continue;
        tables[r.id] = wrapped ? wrapTable(table, r.kind, now) : unwrapTable(table, r.kind, undefined, now);
      }
    }
    r.wrapped = wrapped;
  }

  private register(name: string, kind: StateKind, wrapped: boolean): Registration {
    if (typeof name !== 'string' || name === '')
      throw new TypeError('a state name must be a non-empty string');
    const existing = this.registry.get(name);
    if (existing !== undefined) {
      if (existing.kind !== kind)
        throw new StateKindMismatchError(this.operatorId, name, existing.kind, kind);
      return existing;
    }
    const r: Registration = { id: this.registrations.length, name, kind, state: undefined, ttl: undefined, wrapped, cleanup: undefined };
    this.registry.set(name, r);
    this.registrations.push(r);
    return r;
  }

  private notOwned(key: unknown, group: number): never {
    this.clearCurrentKey();
    throw new KeyGroupNotOwnedError(this.operatorId, key, group);
  }

  private requireOwned(keyGroup: number): KeyGroupStore {
    this.checkGroup(keyGroup);
    const store = this.stores[keyGroup];
    if (store === undefined) {
      throw new RangeError(
        `key group ${keyGroup} is not owned by operator ${JSON.stringify(this.operatorId)} here`,
      );
    }
    return store;
  }

  private checkGroup(g: number): void {
    if (!Number.isInteger(g) || g < 0 || g >= this.maxParallelism) {
      throw new RangeError(`key group ${g} is outside [0, ${this.maxParallelism})`);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
