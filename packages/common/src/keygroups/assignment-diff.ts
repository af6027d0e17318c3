/**
 * What changes between two assignment tables of the same operator: which key
 * groups move, from whom to whom — the state that must be shipped on a rescale
 * or failover, and nothing else.
 */
import type { AssignmentTable } from './assignment-table.js';
import { KeyGroupAssignmentError } from './errors.js';

export interface KeyGroupMove {
  readonly keyGroup: number;
  /** Previous owner; undefined when there was no previous table. */
  readonly from: string | undefined;
  readonly to: string;
}

/** All groups moving along one route (from → to), ascending. */
export interface KeyGroupTransfer {
  readonly from: string | undefined;
  readonly to: string;
  readonly keyGroups: readonly number[];
}

export interface AssignmentDiff {
  /** Groups whose owner changes, ascending by key group. */
  readonly moves: readonly KeyGroupMove[];
  /** The same moves grouped by route, ordered by (from, to); a fresh table has from = undefined. */
  readonly transfers: readonly KeyGroupTransfer[];
  readonly unchanged: number;
}

/**
 * Diff from `previous` (undefined: nothing assigned yet, every group moves) to
 * `next`. Both must have the same number of key groups.
 */
export function diffAssignments(
  previous: AssignmentTable | undefined,
  next: AssignmentTable,
): AssignmentDiff {
  if (previous !== undefined && previous.numberOfKeyGroups !== next.numberOfKeyGroups) {
    throw new KeyGroupAssignmentError(
      `cannot diff tables of ${previous.numberOfKeyGroups} and ${next.numberOfKeyGroups} key groups`,
    );
  }
  const before = previous?.ownerIds();
  const after = next.ownerIds();
  const moves: KeyGroupMove[] = [];
  const routes = new Map<string, { from: string | undefined; to: string; keyGroups: number[] }>();
  after.forEach((to, keyGroup) => {
    const from = before?.[keyGroup];
    if (from === to) return;
    moves.push({ keyGroup, from, to });
    const route = JSON.stringify([from ?? null, to]);
    const transfer = routes.get(route) ?? { from, to, keyGroups: [] };
    transfer.keyGroups.push(keyGroup);
    routes.set(route, transfer);
  });
  const transfers = [...routes.values()].sort(
    (a, b) => compareOptional(a.from, b.from) || compareOptional(a.to, b.to),
  );
  return { moves, transfers, unchanged: after.length - moves.length };
}

/**
 * The fewest key groups any balanced table for `members` (each owning ⌊m/n⌋ or
 * ⌈m/n⌉) must move relative to `previous`: every group of a departed member,
 * plus what each staying member holds beyond its final share, the shares of
 * ⌈m/n⌉ going to the largest holders. `assignKeyGroups` reaches exactly this.
 */
export function minimalMoveCount(previous: AssignmentTable, members: readonly string[]): number {
  const m = previous.numberOfKeyGroups;
  const n = new Set(members).size;
  const q = Math.floor(m / n);
  let r = m % n;
  const byMember = previous.keyGroupsByMember();
  const staying = [...new Set(members)]
    .map((id) => byMember.get(id)?.length ?? 0)
    .sort((a, b) => b - a);
  let kept = 0;
  for (const held of staying) kept += Math.min(held, r-- > 0 ? q + 1 : q);
  return m - kept;
}

function compareOptional(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}
