/**
 * A consistent-hash ring with virtual nodes over the subtasks of one operator.
 *
 * Member `id` owns V virtual nodes at `murmur3Utf8(id + '#' + i)`, i in [0, V);
 * key group g sits at `murmur3Utf8('kg' + g)`. Walking clockwise from g's point
 * and collecting distinct members gives g's *preference order* over all members.
 *
 * Invariant: the ring — and so every preference order — depends only on the set
 * of member ids and V, never on the order ids were passed in (members are kept
 * sorted by UTF-16 code units; equal points are ordered by member, then vnode).
 */
import { KeyGroupAssignmentError } from './errors.js';
import { murmur3Utf8 } from './murmur3.js';

/** Virtual nodes per member; see docs/keygroups.md for the measurement behind 64. */
export const DEFAULT_VIRTUAL_NODES = 64;
/** Upper bound on members × virtual nodes (keeps the sort key exact in a double). */
export const MAX_RING_POINTS = 1 << 21;

const SLOT = MAX_RING_POINTS; // point * SLOT + vnode index < 2^53

export class HashRing {
  /** Distinct member ids, sorted; member index i refers to `members[i]`. */
  readonly members: readonly string[];
  private readonly indexById = new Map<string, number>();
  private readonly points: Float64Array; // sorted ring positions
  private readonly owners: Int32Array; // member index of each position
  private readonly seen: Int32Array; // walk stamps, one per member
  private stamp = 0;

  constructor(
    memberIds: readonly string[],
    readonly virtualNodes: number = DEFAULT_VIRTUAL_NODES,
  ) {
    this.members = checkMembers(memberIds);
    const n = this.members.length;
    if (!Number.isInteger(virtualNodes) || virtualNodes < 1 || n * virtualNodes > MAX_RING_POINTS) {
      throw new KeyGroupAssignmentError(
        `virtualNodes must be an integer ≥ 1 with members × virtualNodes ≤ ${MAX_RING_POINTS}, ` +
          `got ${virtualNodes} for ${n} members`,
      );
    }
    const keys = new Float64Array(n * virtualNodes);
    for (let m = 0; m < n; m++) {
      const id = this.members[m]!;
      this.indexById.set(id, m);
      for (let v = 0; v < virtualNodes; v++) {
        const slot = m * virtualNodes + v;
        keys[slot] = murmur3Utf8(`${id}#${v}`) * SLOT + slot;
      }
    }
    keys.sort();
    this.points = new Float64Array(keys.length);
    this.owners = new Int32Array(keys.length);
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j]!;
      const slot = key % SLOT;
      this.points[j] = (key - slot) / SLOT;
      this.owners[j] = Math.floor(slot / virtualNodes);
    }
    this.seen = new Int32Array(n);
  }

  get size(): number {
    return this.members.length;
  }

  /** Member index of `id`, or -1 if it is not on the ring. */
  indexOf(id: string): number {
    return this.indexById.get(id) ?? -1;
  }

  /** Ring position of key group `keyGroup`. */
  static pointOf(keyGroup: number): number {
    return murmur3Utf8(`kg${keyGroup}`);
  }

  /**
   * Walks `keyGroup`'s preference order and returns the first member index for
   * which `accept` is true, or -1 if it accepts none.
   */
  firstAccepted(keyGroup: number, accept: (member: number) => boolean): number {
    const { points, owners, seen } = this;
    const total = points.length;
    const stamp = ++this.stamp;
    let distinct = 0;
    for (
      let step = 0, j = lowerBound(points, HashRing.pointOf(keyGroup));
      step < total;
      step++, j++
    ) {
      if (j === total) j = 0;
      const member = owners[j]!;
      if (seen[member] === stamp) continue;
      seen[member] = stamp;
      if (accept(member)) return member;
      if (++distinct === seen.length) break;
    }
    return -1;
  }

  /** Position (0 = most preferred) of member index `member` in `keyGroup`'s preference order. */
  rankOf(keyGroup: number, member: number): number {
    let rank = 0;
    this.firstAccepted(keyGroup, (m) => m === member || (rank++, false));
    return rank;
  }

  /** `keyGroup`'s full preference order, as member ids. */
  preferenceOrder(keyGroup: number): string[] {
    const order: string[] = [];
    this.firstAccepted(keyGroup, (m) => (order.push(this.members[m]!), false));
    return order;
  }
}

function lowerBound(points: Float64Array, point: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]! < point) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Distinct, non-empty member ids in canonical (code-unit) order; throws otherwise. */
export function checkMembers(memberIds: readonly string[]): string[] {
  if (memberIds.length === 0)
    throw new KeyGroupAssignmentError('an assignment needs at least one member');
  const sorted = [...memberIds].sort(compareIds);
  for (let i = 0; i < sorted.length; i++) {
    const id = sorted[i];
    if (typeof id !== 'string' || id.length === 0) {
      throw new KeyGroupAssignmentError(
        `member ids must be non-empty strings, got ${JSON.stringify(id)}`,
      );
    }
    if (i > 0 && sorted[i - 1] === id)
      throw new KeyGroupAssignmentError(`duplicate member id ${JSON.stringify(id)}`);
  }
  return sorted;
}

/** Total order on ids by UTF-16 code units (locale-independent). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
