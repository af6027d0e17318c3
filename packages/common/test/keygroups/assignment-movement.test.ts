import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AssignmentTable,
  assignKeyGroups,
  diffAssignments,
  minimalMoveCount,
} from '../../src/keygroups/index.js';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));
const SLACK = 1.1; // the bound; DESIGN.md claims (and the tests below show) exactly 1.0

function step(
  previous: AssignmentTable,
  members: readonly string[],
): { next: AssignmentTable; moved: number; optimal: number } {
  const next = assignKeyGroups({
    members,
    numberOfKeyGroups: previous.numberOfKeyGroups,
    previous,
  });
  return {
    next,
    moved: diffAssignments(previous, next).moves.length,
    optimal: minimalMoveCount(previous, members),
  };
}

function assertBalanced(table: AssignmentTable): void {
  const m = table.numberOfKeyGroups;
  const n = table.members.length;
  for (const c of table.counts())
    assert.ok(c >= Math.floor(m / n) && c <= Math.ceil(m / n), `${c} of ${m}/${n}`);
}

for (const m of [128, 4096]) {
  test(`adding one member to n = 1..63 moves the optimal share (${m} key groups)`, () => {
    let movedTotal = 0;
    let optimalTotal = 0;
    for (let n = 1; n <= 63; n++) {
      const previous = assignKeyGroups({ members: ids(n), numberOfKeyGroups: m });
      const { next, moved, optimal } = step(previous, ids(n + 1));
      assertBalanced(next);
      assert.ok(moved <= SLACK * optimal, `n=${n}: moved ${moved}, optimal ${optimal}`);
      // Only the newcomer receives groups: nobody else's state grows.
      for (const move of diffAssignments(previous, next).moves) assert.equal(move.to, String(n));
      movedTotal += moved;
      optimalTotal += optimal;
    }
    assert.equal(movedTotal, optimalTotal, 'exactly optimal over all n');
  });

  test(`removing one member (first, middle, last) moves the optimal share (${m} key groups)`, () => {
    for (let n = 2; n <= 64; n++) {
      const previous = assignKeyGroups({ members: ids(n), numberOfKeyGroups: m });
      for (const leaving of new Set([0, n >> 1, n - 1])) {
        const members = ids(n).filter((_, i) => i !== leaving);
        const { next, moved, optimal } = step(previous, members);
        assertBalanced(next);
        assert.ok(
          moved <= SLACK * optimal,
          `n=${n} -${leaving}: moved ${moved}, optimal ${optimal}`,
        );
        assert.equal(moved, optimal);
        // Only the leaver's groups move.
        for (const move of diffAssignments(previous, next).moves)
          assert.equal(move.from, String(leaving));
      }
    }
  });

  test(`a walk 2 → 32 → 2 members stays balanced and moves the optimal share (${m} key groups)`, () => {
    let table = assignKeyGroups({ members: ids(2), numberOfKeyGroups: m });
    const sizes = [
      ...Array.from({ length: 30 }, (_, i) => i + 3),
      ...Array.from({ length: 30 }, (_, i) => 31 - i),
    ];
    let movedTotal = 0;
    let optimalTotal = 0;
    for (const n of sizes) {
      const { next, moved, optimal } = step(table, ids(n));
      assertBalanced(next);
      assert.ok(moved <= SLACK * optimal, `→ ${n}: moved ${moved}, optimal ${optimal}`);
      movedTotal += moved;
      optimalTotal += optimal;
      table = next;
    }
    assert.equal(movedTotal, optimalTotal);
  });
}

test('replacing a member, and several joining and leaving at once, move the optimal share', () => {
  const previous = assignKeyGroups({ members: ids(10), numberOfKeyGroups: 4096 });
  const cases = [
    [...ids(10).filter((id) => id !== '4'), 'tm-b/4'],
    ['0', '1', '2', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    ['3', '9'],
    [...ids(40)],
  ];
  for (const members of cases) {
    const { next, moved, optimal } = step(previous, members);
    assertBalanced(next);
    assert.equal(moved, optimal, members.join(','));
  }
});

test('an unchanged member set moves nothing, and a balanced foreign table is kept as is', () => {
  const table = assignKeyGroups({ members: ids(7), numberOfKeyGroups: 4096 });
  assert.ok(step(table, ids(7)).next.equals(table));
  const striped = AssignmentTable.fromOwners(
    ids(4),
    Array.from({ length: 128 }, (_, g) => String(g % 4)),
  );
  assert.ok(step(striped, ids(4)).next.equals(striped));
  assert.equal(step(striped, ids(4)).optimal, 0);
});

test('an unbalanced previous table is rebalanced with minimal movement', () => {
  const lopsided = AssignmentTable.fromOwners(
    ids(4),
    Array.from({ length: 128 }, (_, g) => (g < 100 ? '0' : String(1 + (g % 3)))),
  );
  const { next, moved, optimal } = step(lopsided, ids(4));
  assertBalanced(next);
  assert.equal(moved, optimal);
  assert.equal(optimal, 100 - 32);
});
