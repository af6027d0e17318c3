/**
 * Processing-time timers per key, stored per key group beside the keyed state
 * (Flink's InternalTimerService for processing time, driven from outside).
 *
 * Invariants:
 *  - at most one timer per (key, timestamp): registering it again is a no-op;
 *  - `advanceTo(now)` returns every live timer with timestamp ≤ now, ordered
 *    by timestamp (equal timestamps in registration order; restored timers
 *    count as registered at restore, in their snapshot's order), and removes
 *    them before returning, so firing code may register the same timer
 *    again — it fires in a later `advanceTo`;
 *  - a timer belongs to the key group of its key; when the backend removes a
 *    group (rescale) its timers go too.
 *
 * Design: one binary heap over all groups (nextTimerTimestamp is O(1)) plus,
 * per group, an index key → timestamp → entry for dedupe and deletion.
 * Deleted and dropped timers stay in the heap marked dead (lazy deletion)
 * until they reach the top, or until they outnumber the live ones and the
 * heap is rebuilt without them.
 */
import type { Key } from '@rivulet/common/task-runtime';
import { StateSnapshotError } from './errors.js';
import type { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';
import { resolveKey, type ResolvedKey } from './key-ref.js';
import { TIMERS_FORMAT, decodeTimersSnapshot, encodeSnapshot } from './snapshot-codec.js';
import { keyGroupSnapshotOf, type KeyGroupSnapshot } from './key-group-snapshot.js';
import { TimerHeap } from './timer-heap.js';

/** A due timer: set `key` current on the backend, then call `onTimer(timestamp)`. */
export interface FiredTimer {
  readonly key: Key;
  readonly keyGroup: number;
  readonly timestamp: number;
}

export interface ProcessingTimeTimerServiceOptions {
  /** Milliseconds since the epoch. @default Date.now */
  readonly clock?: () => number;
}

interface TimerEntry extends FiredTimer {
  readonly ref: unknown;
  readonly composite: boolean;
  readonly seq: number;
  live: boolean;
}

/** key reference → timestamp → timer, separately for primitive and composite keys. */
class TimerGroup {
  readonly plain = new Map<unknown, Map<number, TimerEntry>>();
  readonly composite = new Map<unknown, Map<number, TimerEntry>>();
  count = 0;

  index(composite: boolean): Map<unknown, Map<number, TimerEntry>> {
    return composite ? this.composite : this.plain;
  }
}

const COMPACT_MIN_DEAD = 1024;

export class ProcessingTimeTimerService {
  private readonly clock: () => number;
  private readonly heap = new TimerHeap<TimerEntry>();
  private readonly groups: (TimerGroup | undefined)[];
  private live = 0;
  private dead = 0;
  private nextSeq = 0;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    options: ProcessingTimeTimerServiceOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.groups = new Array<TimerGroup | undefined>(backend.maxParallelism).fill(undefined);
    backend.onKeyGroupsRemoved((groups) => groups.forEach((g) => this.dropGroup(g)));
  }

  currentProcessingTime(): number {
    return this.clock();
  }

  /** A timer for the backend's current key; throws NoCurrentKeyError without one. */
  registerProcessingTimeTimer(timestamp: number): void {
    this.register(timestamp, 'registerProcessingTimeTimer()');
  }

  /** Deletes the current key's timer at `timestamp`, if any. */
  deleteProcessingTimeTimer(timestamp: number): void {
    this.delete(timestamp, 'deleteProcessingTimeTimer()');
  }

  /**
   * A timer for the backend's current key; `call` names the user's call in
   * errors. The same queue serves event-time timers (keyed-timers.ts: a
   * second instance, advanced by the watermark instead of the clock).
   */
  register(timestamp: number, call: string): void {
    checkTimestamp(timestamp);
    const b = this.backend;
    b.requireKey(call);
    this.add(b.getCurrentKey(), b.currentKeyGroup, b.ref, b.composite, timestamp);
  }

  /** Deletes the current key's timer at `timestamp`, if any. */
  delete(timestamp: number, call: string): void {
    const b = this.backend;
    b.requireKey(call);
    const group = this.groups[b.currentKeyGroup];
    const entry = group?.index(b.composite).get(b.ref)?.get(timestamp);
    if (group === undefined || entry === undefined) return;
    this.unindex(group, entry);
    entry.live = false;
    this.dead++;
    this.compactIfMostlyDead();
  }

  /** Timestamp of the earliest live timer; undefined when there is none. */
  nextTimerTimestamp(): number | undefined {
    this.dropDeadTop();
    return this.heap.size > 0 ? this.heap.peekTimestamp() : undefined;
  }

  /** Removes and returns the timers due at `now` (timestamp ≤ now), in firing order. */
  advanceTo(now: number): FiredTimer[] {
    const fired: FiredTimer[] = [];
    for (;;) {
      this.dropDeadTop();
      if (this.heap.size === 0 || !(this.heap.peekTimestamp() <= now)) return fired; // now may be +Infinity (end of input)
      const entry = this.heap.pop()!;
      this.unindex(this.groups[entry.keyGroup]!, entry);
      entry.live = false;
      fired.push({ key: entry.key, keyGroup: entry.keyGroup, timestamp: entry.timestamp });
    }
  }

  /** Number of live timers, in all groups or in `keyGroup`. */
  size(keyGroup?: number): number {
    return keyGroup === undefined ? this.live : (this.groups[keyGroup]?.count ?? 0);
  }

  /**
   * A point-in-time snapshot of the timers of owned `groups` (default: every
   * owned group with timers): the (key, timestamp) pairs are collected now,
   * O(timers), and serialized later one group at a time (key-group-snapshot.ts).
   */
  snapshot(groups: Iterable<number> = this.backend.ownedKeyGroups().filter((g) => this.size(g) > 0)): KeyGroupSnapshot {
    const encoders = new Map<number, () => Uint8Array>();
    const { maxParallelism } = this.backend;
    for (const keyGroup of groups) {
      this.requireOwned(keyGroup);
      const timers = this.timersOf(keyGroup);
      encoders.set(keyGroup, () => encodeSnapshot({ format: TIMERS_FORMAT, maxParallelism, keyGroup, timers }, { shared: true }));
    }
    return keyGroupSnapshotOf(encoders);
  }

  /** The timers of `keyGroup` (owned by the backend) as self-contained, point-in-time bytes. */
  snapshotKeyGroup(keyGroup: number): Uint8Array {
    return new Uint8Array(this.snapshot([keyGroup]).encode(keyGroup));
  }

  /** Flat `key, timestamp, …` pairs of `keyGroup` in firing order. */
  timersOf(keyGroup: number): unknown[] {
    const entries: TimerEntry[] = [];
    const group = this.groups[keyGroup];
    if (group !== undefined) {
      for (const index of [group.plain, group.composite]) {
        for (const byTimestamp of index.values()) entries.push(...byTimestamp.values());
      }
    }
    entries.sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
    const timers: unknown[] = [];
    for (const e of entries) timers.push(e.key, e.timestamp);
    return timers;
  }

  /** Replaces the timers of owned `keyGroup` with `bytes` from `snapshotKeyGroup`. */
  restoreKeyGroup(keyGroup: number, bytes: Uint8Array): void {
    this.requireOwned(keyGroup);
    const { operatorId, maxParallelism } = this.backend;
    const fail = (detail: string, cause?: unknown): never => {
      throw new StateSnapshotError(operatorId, keyGroup, detail, { cause });
    };
    let timers: readonly unknown[];
    try {
      timers = decodeTimersSnapshot(bytes, maxParallelism, keyGroup).timers;
    } catch (cause) {
      return fail(cause instanceof Error ? cause.message : String(cause), cause);
    }
    this.restoreTimers(keyGroup, timers);
  }

  /** Replaces the timers of owned `keyGroup` with flat `key, timestamp, …` pairs (from `timersOf`). */
  restoreTimers(keyGroup: number, timers: readonly unknown[]): void {
    this.requireOwned(keyGroup);
    const { operatorId, maxParallelism } = this.backend;
    const fail = (detail: string, cause?: unknown): never => {
      throw new StateSnapshotError(operatorId, keyGroup, detail, { cause });
    };
    const restored: [Key, number, ResolvedKey][] = [];
    for (let i = 0; i < timers.length; i += 2) {
      const key = timers[i] as Key;
      const timestamp = timers[i + 1];
      if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
        fail(`timer ${i / 2} has no finite timestamp`);
      }
      let resolved: ResolvedKey;
      try {
        resolved = resolveKey(key, maxParallelism);
      } catch (cause) {
        return fail(`timer ${i / 2} has an invalid key`, cause);
      }
      if (resolved.keyGroup !== keyGroup) {
        fail(`timer ${i / 2} has a key of key group ${resolved.keyGroup}`);
      }
      restored.push([key, timestamp as number, resolved]);
    }
    this.dropGroup(keyGroup);
    for (const [key, timestamp, { ref, composite }] of restored) {
      this.add(key, keyGroup, ref, composite, timestamp);
    }
  }

  private add(
    key: Key,
    keyGroup: number,
    ref: unknown,
    composite: boolean,
    timestamp: number,
  ): void {
    const group = (this.groups[keyGroup] ??= new TimerGroup());
    const index = group.index(composite);
    let byTimestamp = index.get(ref);
    if (byTimestamp === undefined) {
      byTimestamp = new Map();
      index.set(ref, byTimestamp);
    } else if (byTimestamp.has(timestamp)) {
      return;
    }
    const entry: TimerEntry = {
      key,
      keyGroup,
      timestamp,
      ref,
      composite,
      seq: this.nextSeq++,
      live: true,
    };
    byTimestamp.set(timestamp, entry);
    group.count++;
    this.live++;
    this.heap.push(entry, timestamp, entry.seq);
  }

  /** Removes a live entry from its group's index (the heap keeps it until popped or compacted). */
  private unindex(group: TimerGroup, entry: TimerEntry): void {
    const index = group.index(entry.composite);
    const byTimestamp = index.get(entry.ref)!;
    byTimestamp.delete(entry.timestamp);
    if (byTimestamp.size === 0) index.delete(entry.ref);
    group.count--;
    this.live--;
  }

  private dropGroup(keyGroup: number): void {
    const group = this.groups[keyGroup];
    if (group === undefined) return;
    for (const index of [group.plain, group.composite]) {
      for (const byTimestamp of index.values())
        for (const e of byTimestamp.values()) e.live = false;
    }
    this.live -= group.count;
    this.dead += group.count;
    this.groups[keyGroup] = undefined;
    this.compactIfMostlyDead();
  }

  private dropDeadTop(): void {
    for (let top = this.heap.peek(); top !== undefined && !top.live; top = this.heap.peek()) {
      this.heap.pop();
      this.dead--;
    }
  }

  private compactIfMostlyDead(): void {
    if (this.dead >= COMPACT_MIN_DEAD && this.dead > this.live) {
      this.heap.retain((e) => e.live);
      this.dead = 0;
    }
  }

  private requireOwned(keyGroup: number): void {
    if (!this.backend.isOwned(keyGroup)) {
      throw new RangeError(
        `key group ${keyGroup} is not owned by operator ` +
          `${JSON.stringify(this.backend.operatorId)} here`,
      );
    }
  }
}

function checkTimestamp(timestamp: number): void {
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
    throw new RangeError(
      `a timer timestamp must be a finite number of milliseconds, got ${String(timestamp)}`,
    );
  }
}
