import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AssignmentTable,
  assignKeyGroups,
  diffAssignments,
  flinkOperatorIndexForKeyGroup,
  flinkRangeAssignment,
  InvalidMaxParallelismError,
  KeyGroupAssignmentError,
} from '../../src/keygroups/index.js';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));

test('a diff lists moved groups and groups them by route', () => {
  const before = AssignmentTable.fromOwners(['a', 'b', 'c'], ['a', 'a', 'b', 'b', 'c', 'c']);
  const after = AssignmentTable.fromOwners(['a', 'b', 'd'], ['a', 'd', 'b', 'd', 'a', 'b']);
  const diff = diffAssignments(before, after);
  assert.deepEqual(diff.moves, [
    { keyGroup: 1, from: 'a', to: 'd' },
    { keyGroup: 3, from: 'b', to: 'd' },
    { keyGroup: 4, from: 'c', to: 'a' },
    { keyGroup: 5, from: 'c', to: 'b' },
  ]);
  assert.deepEqual(diff.transfers, [
    { from: 'a', to: 'd', keyGroups: [1] },
    { from: 'b', to: 'd', keyGroups: [3] },
    { from: 'c', to: 'a', keyGroups: [4] },
    { from: 'c', to: 'b', keyGroups: [5] },
  ]);
  assert.equal(diff.unchanged, 2);
});

test('a diff from nothing moves every group; a diff to itself moves none', () => {
  const table = assignKeyGroups({ members: ids(3), numberOfKeyGroups: 128 });
  const fresh = diffAssignments(undefined, table);
  assert.equal(fresh.moves.length, 128);
  assert.deepEqual(
    fresh.transfers.map((t) => [t.from, t.to, t.keyGroups.length]),
    ids(3).map((id) => [undefined, id, table.keyGroupsOf(id).length]),
  );
  assert.deepEqual(diffAssignments(table, table), { moves: [], transfers: [], unchanged: 128 });
  const other = assignKeyGroups({ members: ids(3), numberOfKeyGroups: 256 });
  assert.throws(() => diffAssignments(table, other), KeyGroupAssignmentError);
});

test('transfers carry exactly the moved groups', () => {
  const before = assignKeyGroups({ members: ids(5), numberOfKeyGroups: 4096 });
  const after = assignKeyGroups({ members: ids(6), numberOfKeyGroups: 4096, previous: before });
  const diff = diffAssignments(before, after);
  const fromTransfers = diff.transfers.flatMap((t) =>
    t.keyGroups.map((keyGroup) => ({ keyGroup, from: t.from, to: t.to })),
  );
  assert.deepEqual(
    fromTransfers.sort((a, b) => a.keyGroup - b.keyGroup),
    diff.moves,
  );
  for (const t of diff.transfers) for (const g of t.keyGroups) assert.equal(after.ownerOf(g), t.to);
});

test('Flink range assignment matches KeyGroupRangeAssignment', () => {
  assert.equal(flinkOperatorIndexForKeyGroup(128, 3, 0), 0);
  assert.equal(flinkOperatorIndexForKeyGroup(128, 3, 42), 0);
  assert.equal(flinkOperatorIndexForKeyGroup(128, 3, 43), 1);
  assert.equal(flinkOperatorIndexForKeyGroup(128, 3, 127), 2);
  const table = flinkRangeAssignment({ numberOfKeyGroups: 128, parallelism: 3 });
  assert.deepEqual(table.counts(), [43, 43, 42]);
  assert.deepEqual(
    table.keyGroupsOf('1'),
    Array.from({ length: 43 }, (_, i) => 43 + i),
  );
  const named = flinkRangeAssignment({
    numberOfKeyGroups: 8,
    parallelism: 2,
    memberIds: ['x', 'y'],
  });
  assert.equal(named.ownerIds().join(''), 'xxxxyyyy');
  assert.throws(
    () => flinkRangeAssignment({ numberOfKeyGroups: 8, parallelism: 9 }),
    InvalidMaxParallelismError,
  );
  assert.throws(
    () => flinkRangeAssignment({ numberOfKeyGroups: 8, parallelism: 2, memberIds: ['x'] }),
    InvalidMaxParallelismError,
  );
});

test('Flink moves about half the groups for +1 subtask; the ring moves the optimal share', () => {
  const m = 128;
  const flink = diffAssignments(
    flinkRangeAssignment({ numberOfKeyGroups: m, parallelism: 8 }),
    flinkRangeAssignment({ numberOfKeyGroups: m, parallelism: 9 }),
  );
  const before = assignKeyGroups({ members: ids(8), numberOfKeyGroups: m });
  const ring = diffAssignments(
    before,
    assignKeyGroups({ members: ids(9), numberOfKeyGroups: m, previous: before }),
  );
  assert.ok(flink.moves.length > 0.4 * m, `flink moved ${flink.moves.length}`);
  assert.ok(ring.moves.length <= Math.ceil(m / 9), `ring moved ${ring.moves.length}`);
});
