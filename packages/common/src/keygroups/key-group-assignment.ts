/**
 * Incremental bounded-load assignment of key groups to the members of a hash ring.
 *
 * With m key groups and n members, q = ⌊m/n⌋ and r = m mod n, the result
 * guarantees:
 *   balance   every member owns q or q + 1 groups, exactly r of them q + 1
 *             (so max ≤ ⌈m/n⌉: the bounded-load rule with ε = 0);
 *   movement  relative to `previous`, the number of groups that change owner is
 *             the minimum any balanced table can reach: the groups of departed
 *             members plus, for each staying member, what it holds beyond its
 *             final share, the r shares of q + 1 going to the largest holders;
 *   determinism  the table depends only on the member set, m, V and `previous`.
 *
 * The rule (DESIGN.md, "Key groups on a consistent-hash ring"):
 *   1. keep every group where it is, unless its owner left;
 *   2. an owner above ⌈m/n⌉ frees its excess, the groups that rank it lowest;
 *   3. each freed group (ascending) goes to the first member in its ring order
 *      that has room: below q, or at q while fewer than r members hold q + 1;
 *   4. a member still below q takes, from members above q, the groups that rank
 *      it highest (needed when more than r members kept q + 1).
 * A fresh table is the same rule applied to an empty table.
 */
import { AssignmentTable } from './assignment-table.js';
import { KeyGroupAssignmentError } from './errors.js';
import { DEFAULT_VIRTUAL_NODES, HashRing } from './hash-ring.js';
import { checkMaxParallelism } from './key-group.js';

export interface AssignKeyGroupsOptions {
  /** Current members (subtask ids, e.g. "0".."n-1"), in any order. */
  readonly members: readonly string[];
  /** Number of key groups (the job's maxParallelism); must equal `previous`'s. */
  readonly numberOfKeyGroups: number;
  /** The table in force before this change; absent for a fresh job. */
  readonly previous?: AssignmentTable | undefined;
  /** Virtual nodes per member. @default 64 */
  readonly virtualNodes?: number;
}

export function assignKeyGroups(options: AssignKeyGroupsOptions): AssignmentTable {
  const m = checkMaxParallelism(options.numberOfKeyGroups, 'numberOfKeyGroups');
  const ring = new HashRing(options.members, options.virtualNodes ?? DEFAULT_VIRTUAL_NODES);
  const balancer = new Balancer(ring, m);
  if (options.previous !== undefined) balancer.keep(options.previous);
  balancer.shedExcess();
  balancer.placeFreed();
  balancer.fillBelowFloor();
  balancer.checkBalanced();
  return new AssignmentTable(ring.members, balancer.owner);
}

class Balancer {
  readonly owner: Int32Array; // member index per key group, -1 = free
  private readonly count: Int32Array; // groups per member
  private readonly q: number;
  private readonly r: number;
  private atCeil = 0; // members holding q + 1 (tracked from step 3 on, when r > 0)

  constructor(
    private readonly ring: HashRing,
    private readonly m: number,
  ) {
    this.owner = new Int32Array(m).fill(-1);
    this.count = new Int32Array(ring.size);
    this.q = Math.floor(m / ring.size);
    this.r = m % ring.size;
  }

  keep(previous: AssignmentTable): void {
    if (previous.numberOfKeyGroups !== this.m) {
      throw new KeyGroupAssignmentError(
        `previous table has ${previous.numberOfKeyGroups} key groups, not ${this.m}: ` +
          'the number of key groups is fixed for the life of a job',
      );
    }
    previous.ownerIds().forEach((id, g) => {
      const x = this.ring.indexOf(id);
      if (x >= 0) this.take(g, x);
    });
  }

  shedExcess(): void {
    const ceil = this.r > 0 ? this.q + 1 : this.q;
    const held = this.groupsByMember();
    held.forEach((groups, x) => {
      const excess = groups.length - ceil;
      if (excess <= 0) return;
      const worstFirst = sortedBy(groups, (g) => this.ring.rankOf(g, x), 'descending');
      for (const g of worstFirst.slice(0, excess)) this.release(g);
    });
    this.atCeil = this.r > 0 ? this.count.filter((c) => c === this.q + 1).length : 0;
  }

  placeFreed(): void {
    const hasRoom = (x: number): boolean => {
      const c = this.count[x]!;
      return c < this.q || (c === this.q && this.atCeil < this.r);
    };
    for (let g = 0; g < this.m; g++) {
      if (this.owner[g] !== -1) continue;
      const x = this.ring.firstAccepted(g, hasRoom);
      if (x < 0) throw new Error(`invariant violated: no member has room for key group ${g}`);
      this.take(g, x);
    }
  }

  fillBelowFloor(): void {
    const thieves: number[] = [];
    this.count.forEach((c, x) => c < this.q && thieves.push(x));
    if (thieves.length === 0) return;
    // Per thief: every group, most-preferring first, and its rank for the thief.
    const wants = thieves.map((t) => {
      const ranks = Int32Array.from(range(this.m), (g) => this.ring.rankOf(g, t));
      return { t, ranks, order: sortedBy(range(this.m), (g) => ranks[g]!, 'ascending'), next: 0 };
    });
    for (;;) {
      let best: (typeof wants)[number] | undefined;
      let bestKey = Infinity;
      for (const w of wants) {
        if (this.count[w.t]! >= this.q) continue;
        // Donors only lose groups in this phase, so a skipped group never becomes eligible again.
        while (w.next < w.order.length && !this.isDonor(w.order[w.next]!)) w.next++;
        const g = w.order[w.next];
        if (g === undefined) continue;
        const key = w.ranks[g]! * this.m + g;
        if (key < bestKey) [best, bestKey] = [w, key];
      }
      if (best === undefined) return;
      const g = best.order[best.next]!;
      this.release(g);
      this.take(g, best.t);
    }
  }

  checkBalanced(): void {
    const over = this.count.filter((c) => c === this.q + 1).length;
    const ok = this.count.every((c) => c === this.q || c === this.q + 1) && over === this.r;
    if (!ok) throw new Error(`invariant violated: unbalanced assignment ${this.count.join(',')}`);
  }

  private isDonor(g: number): boolean {
    return this.count[this.owner[g]!]! > this.q;
  }

  private take(g: number, x: number): void {
    const c = this.count[x]! + 1;
    this.count[x] = c;
    this.owner[g] = x;
    if (c === this.q + 1) this.atCeil++;
  }

  private release(g: number): void {
    const x = this.owner[g]!;
    const c = this.count[x]! - 1;
    this.count[x] = c;
    this.owner[g] = -1;
    if (c === this.q) this.atCeil--;
  }

  private groupsByMember(): number[][] {
    const held: number[][] = Array.from({ length: this.ring.size }, () => []);
    this.owner.forEach((x, g) => x >= 0 && held[x]!.push(g));
    return held;
  }
}

/** `items` sorted by `score` (ties: by item, in the same direction). */
function sortedBy(
  items: number[],
  score: (item: number) => number,
  direction: 'ascending' | 'descending',
): number[] {
  const keyed = items.map((item) => [score(item), item] as const);
  const sign = direction === 'ascending' ? 1 : -1;
  keyed.sort((a, b) => sign * (a[0] - b[0] || a[1] - b[1]));
  return keyed.map(([, item]) => item);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
