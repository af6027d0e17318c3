import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AssignmentTable,
  assignKeyGroups,
  KeyGroupAssignmentError,
} from '../../src/keygroups/index.js';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));

/** Every group owned by exactly one current member; every member within [⌊m/n⌋, ⌈m/n⌉]. */
function assertValidAndBalanced(
  table: AssignmentTable,
  members: readonly string[],
  m: number,
): void {
  assert.equal(table.numberOfKeyGroups, m);
  assert.deepEqual([...table.members].sort(), [...members].sort());
  const owned = new Set(members);
  const seen = new Array<number>(m).fill(0);
  for (const [member, groups] of table.keyGroupsByMember()) {
    assert.ok(owned.has(member));
    for (const g of groups) {
      seen[g]! += 1;
      assert.equal(table.ownerOf(g), member);
    }
  }
  assert.ok(
    seen.every((c) => c === 1),
    'every key group has exactly one owner',
  );
  const n = members.length;
  const counts = table.counts();
  const [lo, hi] = [Math.floor(m / n), Math.ceil(m / n)];
  assert.ok(
    counts.every((c) => c >= lo && c <= hi),
    `${n} members, ${m} groups: ${counts.join(',')}`,
  );
  assert.ok(
    Math.max(...counts) / (m / n) <= Math.ceil(m / n) / (m / n),
    'max/mean within the ε = 0 bound',
  );
}

for (const m of [128, 4096]) {
  test(`fresh tables are balanced for 1..64 members at ${m} key groups`, () => {
    for (let n = 1; n <= 64; n++)
      assertValidAndBalanced(assignKeyGroups({ members: ids(n), numberOfKeyGroups: m }), ids(n), m);
  });
}

test('more members than key groups: each owns at most one', () => {
  const table = assignKeyGroups({ members: ids(10), numberOfKeyGroups: 4 });
  assertValidAndBalanced(table, ids(10), 4);
  assert.equal(table.counts().filter((c) => c === 1).length, 4);
});

test('the same inputs give the same table, whatever the member order', () => {
  const members = ['7', '3', '11', '0', 'x', '5'];
  const a = assignKeyGroups({ members, numberOfKeyGroups: 4096 });
  const b = assignKeyGroups({ members: [...members].reverse(), numberOfKeyGroups: 4096 });
  assert.ok(a.equals(b));
  const prevA = assignKeyGroups({ members: ['0', '3', '7'], numberOfKeyGroups: 4096 });
  const prevB = assignKeyGroups({ members: ['7', '0', '3'], numberOfKeyGroups: 4096 });
  const nextA = assignKeyGroups({ members, numberOfKeyGroups: 4096, previous: prevA });
  const nextB = assignKeyGroups({
    members: [...members].sort(),
    numberOfKeyGroups: 4096,
    previous: prevB,
  });
  assert.ok(nextA.equals(nextB));
  assert.deepEqual(JSON.stringify(nextA), JSON.stringify(nextB));
});

// Owners of key groups 0..15 in a fresh table over members "0".."2".
const PINNED_FRESH_3_OF_16 = '2211000111102022';

test("pinned fresh table (a change reshuffles every job's state)", () => {
  const table = assignKeyGroups({ members: ids(3), numberOfKeyGroups: 16 });
  assert.equal(table.ownerIds().join(''), PINNED_FRESH_3_OF_16);
});

test('a table round-trips through its serialized form', () => {
  for (const [n, m] of [
    [1, 1],
    [3, 128],
    [64, 4096],
    [300, 1024],
    [300, 32768],
  ] as const) {
    const table = assignKeyGroups({ members: ids(n), numberOfKeyGroups: m });
    const wire = JSON.parse(JSON.stringify(table)) as unknown;
    const back = AssignmentTable.fromJSON(wire);
    assert.ok(back.equals(table));
    assert.deepEqual(back.ownerIds(), table.ownerIds());
    assert.deepEqual(JSON.stringify(back), JSON.stringify(table));
  }
  const small = assignKeyGroups({ members: ids(8), numberOfKeyGroups: 4096 }).toJSON();
  assert.equal(small.ownerWidth, 1);
  assert.ok(JSON.stringify(small).length < 6000, 'one byte per key group, base64');
});

test('malformed serialized tables are rejected', () => {
  const good = assignKeyGroups({ members: ids(3), numberOfKeyGroups: 8 }).toJSON();
  const bad: unknown[] = [
    null,
    'x',
    { ...good, format: 'other' },
    { ...good, members: ['2', '1', '0'] },
    { ...good, members: ['0', '0', '1'] },
    { ...good, ownerWidth: 3 },
    { ...good, numberOfKeyGroups: 9 },
    { ...good, owners: Buffer.from([0, 1, 2, 3, 0, 1, 2, 0]).toString('base64') },
  ];
  for (const value of bad)
    assert.throws(() => AssignmentTable.fromJSON(value), KeyGroupAssignmentError);
});

test('assignment inputs are validated', () => {
  assert.throws(
    () => assignKeyGroups({ members: [], numberOfKeyGroups: 128 }),
    KeyGroupAssignmentError,
  );
  assert.throws(
    () => assignKeyGroups({ members: ['a', 'a'], numberOfKeyGroups: 128 }),
    /duplicate/,
  );
  assert.throws(
    () => assignKeyGroups({ members: ['a'], numberOfKeyGroups: 0 }),
    /numberOfKeyGroups must be an integer in 1\.\.32768/,
  );
  const previous = assignKeyGroups({ members: ['a'], numberOfKeyGroups: 128 });
  assert.throws(
    () => assignKeyGroups({ members: ['a'], numberOfKeyGroups: 256, previous }),
    /fixed for the life of a job/,
  );
  assert.throws(() => AssignmentTable.fromOwners(['a'], ['a', 'b']), /not a member/);
  assert.throws(() => previous.ownerOf(128), RangeError);
  assert.deepEqual(previous.keyGroupsOf('zz'), []);
});
