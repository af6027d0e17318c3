import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pointwiseSources, pointwiseTargets } from '../../src/deployment/pointwise-edges.js';

/** Every (source, target) pair a pointwise edge connects, seen from the sources. */
function pairsFromSources(m: number, n: number): string[] {
  return Array.from({ length: m }, (_, i) => pointwiseTargets(i, m, n).map((j) => `${i}>${j}`)).flat().sort();
}

/** The same, seen from the targets. */
function pairsFromTargets(m: number, n: number): string[] {
  return Array.from({ length: n }, (_, j) => pointwiseSources(j, m, n).map((i) => `${i}>${j}`)).flat().sort();
}

describe('pointwise edges (forward, rescale)', () => {
  test('equal parallelism: subtask i to subtask i', () => {
    assert.deepEqual(pairsFromSources(3, 3), ['0>0', '1>1', '2>2']);
  });

  test('upstream 2, downstream 4: each upstream subtask feeds its own two', () => {
    assert.deepEqual([0, 1].map((i) => pointwiseTargets(i, 2, 4)), [[0, 1], [2, 3]]);
    assert.deepEqual([0, 1, 2, 3].map((j) => pointwiseSources(j, 2, 4)), [[0], [0], [1], [1]]);
  });

  test('upstream 4, downstream 2: each downstream subtask is fed by its own two', () => {
    assert.deepEqual([0, 1, 2, 3].map((i) => pointwiseTargets(i, 4, 2)), [[0], [0], [1], [1]]);
    assert.deepEqual([0, 1].map((j) => pointwiseSources(j, 4, 2)), [[0, 1], [2, 3]]);
  });

  test('uneven ratios: 2 -> 3 and 3 -> 2', () => {
    assert.deepEqual([0, 1].map((i) => pointwiseTargets(i, 2, 3)), [[0], [1, 2]]);
    assert.deepEqual([0, 1].map((j) => pointwiseSources(j, 3, 2)), [[0], [1, 2]]);
  });

  test('both views agree, every subtask on both sides is connected, and each pair once, for every m, n up to 9', () => {
    for (let m = 1; m <= 9; m++) {
      for (let n = 1; n <= 9; n++) {
        const pairs = pairsFromSources(m, n);
        assert.deepEqual(pairs, pairsFromTargets(m, n), `${m} -> ${n}`);
        assert.equal(new Set(pairs).size, pairs.length, `${m} -> ${n}: a pair twice`);
        assert.equal(pairs.length, Math.max(m, n), `${m} -> ${n}: one side's subtasks each have exactly one partner`);
        for (let i = 0; i < m; i++) assert.ok(pointwiseTargets(i, m, n).length > 0, `${m} -> ${n}: source ${i} feeds nothing`);
        for (let j = 0; j < n; j++) assert.ok(pointwiseSources(j, m, n).length > 0, `${m} -> ${n}: target ${j} is fed by nothing`);
      }
    }
  });
});
