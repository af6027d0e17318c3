/**
 * Incremental TTL cleanup (Flink's `cleanupIncrementally(cleanupSize,
 * runCleanupForEveryRecord)` of the heap backend): a cursor over every
 * entry of one state, in all owned key groups (primitive then composite
 * keys, group after group, wrapping around). Each `step` looks at
 * `cleanupSize` entries and removes what expired, so keys nobody reads again
 * do not keep memory forever.
 *
 * A group a snapshot is holding is skipped (its tables are shared with the
 * snapshot being written; it is cleaned on a later pass). The cursor follows
 * live tables: a Map iterator tolerates deletions and sees insertions, and
 * a table replaced (copy on write, restore) ends the iteration over the old one.
 */
import type { KeyGroupStore, StateKind, StateTable } from './key-group-store.js';
import { unexpiredPart } from './ttl.js';

/** What the cursor needs of the backend. */
export interface CleanupHost {
  readonly maxParallelism: number;
  /** The store of an owned group, undefined when not owned. */
  storeOf(keyGroup: number): KeyGroupStore | undefined;
  clock(): number;
}

export class TtlIncrementalCleanup {
  /** Position: group * 2 + (composite ? 1 : 0). */
  private position = 0;
  private store: KeyGroupStore | undefined;
  private table: StateTable | undefined;
  private keys: Iterator<unknown> | undefined;

  constructor(
    private readonly host: CleanupHost,
    private readonly id: number,
    private readonly kind: StateKind,
    private readonly timeToLive: number,
    readonly cleanupSize: number,
  ) {}

  /** Checks up to `cleanupSize` entries; returns how many were removed or trimmed. */
  step(now: number = this.host.clock()): number {
    let budget = this.cleanupSize;
    let changed = 0;
    let tablesTried = 0;
    const positions = this.host.maxParallelism * 2;
    while (budget > 0) {
      if (this.keys === undefined) {
        if (tablesTried >= positions || !this.nextTable()) return changed;
        tablesTried++;
      }
      const store = this.store!;
      const live = this.liveTable(store);
      if (live === undefined || live !== this.table || this.host.storeOf(store.keyGroup) !== store) {
        this.keys = undefined;
        continue;
      }
      const next = this.keys!.next();
      if (next.done === true) {
        this.keys = undefined;
        continue;
      }
      budget--;
      if (store.shared !== undefined) continue;
      const ref = next.value;
      const stored = live.get(ref);
      if (stored === undefined) continue;
      const part = unexpiredPart(stored, this.kind, this.timeToLive, now);
      if (part === stored) continue;
      if (part === undefined) live.delete(ref);
      else live.set(ref, part);
      changed++;
    }
    return changed;
  }

  private liveTable(store: KeyGroupStore): StateTable | undefined {
    return ((this.position & 1) === 1 ? store.composite : store.plain)[this.id];
  }

  /** Moves to the next non-empty table of this state after the current position; false when there is none at all. */
  private nextTable(): boolean {
    const positions = this.host.maxParallelism * 2;
    for (let i = 1; i <= positions; i++) {
      const position = (this.position + i) % positions;
      const store = this.host.storeOf(position >> 1);
      if (store === undefined) continue;
      const table = ((position & 1) === 1 ? store.composite : store.plain)[this.id];
      if (table === undefined || table.size === 0) continue;
      this.position = position;
      this.store = store;
      this.table = table;
      this.keys = table.keys();
      return true;
    }
    this.keys = undefined;
    return false;
  }
}
