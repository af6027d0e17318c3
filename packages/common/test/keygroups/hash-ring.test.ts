import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashRing, KeyGroupAssignmentError } from '../../src/keygroups/index.js';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));

test('a preference order lists every member exactly once', () => {
  const ring = new HashRing(ids(17));
  for (let g = 0; g < 300; g++) {
    const order = ring.preferenceOrder(g);
    assert.equal(order.length, 17);
    assert.deepEqual([...order].sort(), [...ids(17)].sort());
    order.forEach((id, rank) => assert.equal(ring.rankOf(g, ring.indexOf(id)), rank));
  }
});

test('the ring does not depend on the order members are given in', () => {
  const forward = new HashRing(['a', 'b', 'c', 'd', 'e']);
  const shuffled = new HashRing(['d', 'b', 'e', 'a', 'c']);
  assert.deepEqual(forward.members, ['a', 'b', 'c', 'd', 'e']);
  for (let g = 0; g < 500; g++)
    assert.deepEqual(shuffled.preferenceOrder(g), forward.preferenceOrder(g));
});

// Preference orders of key groups 0, 1, 2, 3, 127 over members "0".."3", V = 64.
const PINNED_ORDERS = ['3210', '2130', '1203', '1023', '2310'];

test("pinned preference orders (a change moves every job's key groups)", () => {
  const ring = new HashRing(ids(4));
  assert.deepEqual(
    [0, 1, 2, 3, 127].map((g) => ring.preferenceOrder(g).join('')),
    PINNED_ORDERS,
  );
});

test('adding a member only inserts it into existing preference orders', () => {
  const before = new HashRing(ids(8));
  const after = new HashRing(ids(9));
  for (let g = 0; g < 500; g++) {
    assert.deepEqual(
      after.preferenceOrder(g).filter((id) => id !== '8'),
      before.preferenceOrder(g),
    );
  }
});

test('firstAccepted returns -1 when no member is accepted', () => {
  const ring = new HashRing(ids(3));
  assert.equal(
    ring.firstAccepted(5, () => false),
    -1,
  );
  assert.equal(ring.indexOf('nope'), -1);
});

test('bad members and virtual node counts are rejected', () => {
  assert.throws(() => new HashRing([]), KeyGroupAssignmentError);
  assert.throws(() => new HashRing(['a', 'b', 'a']), /duplicate member id "a"/);
  assert.throws(() => new HashRing(['a', '']), /non-empty strings/);
  assert.throws(() => new HashRing(['a'], 0), /virtualNodes/);
  assert.throws(() => new HashRing(['a'], 1.5), /virtualNodes/);
  assert.throws(() => new HashRing(ids(2), 1 << 21), /virtualNodes/);
});
