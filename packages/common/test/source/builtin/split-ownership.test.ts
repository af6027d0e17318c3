import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SplitEnumeratorContext } from '@rivulet/api';
import { OwnedSplitEnumerator, ownerOf, shareOf, type IndexRangeSplit } from '../../../src/source/builtin/index.js';

describe('how the built-in sources cut their input and who reads each split', () => {
  test('shares cover [0, total) exactly once, their sizes differ by one at most', () => {
    for (const total of [0, 1, 7, 1000, 1001]) {
      for (let count = 1; count <= 9; count++) {
        const shares = Array.from({ length: count }, (_, i) => shareOf(total, i, count));
        assert.equal(shares[0]!.start, 0);
        assert.equal(shares[count - 1]!.end, total);
        shares.slice(1).forEach((share, i) => assert.equal(share.start, shares[i]!.end, 'contiguous'));
        const sizes = shares.map((s) => s.end - s.start);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${total} in ${count}: ${sizes.join(',')}`);
      }
    }
  });

  test('split "k" belongs to subtask k mod p; another id to a stable subtask', () => {
    assert.equal(ownerOf('0', 3), 0);
    assert.equal(ownerOf('5', 3), 2);
    assert.equal(ownerOf('12', 12), 0);
    const owner = ownerOf('restored-21-51', 4);
    assert.ok(owner >= 0 && owner < 4);
    assert.equal(ownerOf('restored-21-51', 4), owner, 'the same in every call (and process)');
    assert.equal(ownerOf('007', 5), ownerOf('007', 5));
  });

  test('the enumerator serves a reader when it registers: its own splits, then no more; splits given back go to their owner again', () => {
    const events: string[] = [];
    const context = {
      currentParallelism: () => 2,
      assignSplits: (assignment: ReadonlyMap<number, readonly IndexRangeSplit[]>) => {
        for (const [subtask, splits] of assignment) events.push(`${subtask}:${splits.map((s) => s.splitId).join(',')}`);
      },
      signalNoMoreSplits: (subtask: number) => void events.push(`${subtask}:end`),
    } as unknown as SplitEnumeratorContext<IndexRangeSplit>;
    const splits = ['0', '1', '2', '3'].map((splitId, k) => ({ splitId, next: k * 10, end: k * 10 + 10 }));
    const enumerator = new OwnedSplitEnumerator(context, splits);
    assert.deepEqual(enumerator.snapshotState(), { version: 1, unassigned: splits }, 'nothing assigned before a reader registered');
    enumerator.addReader(1);
    assert.deepEqual(events, ['1:1,3', '1:end']);
    assert.deepEqual(enumerator.snapshotState().unassigned.map((s) => s.splitId), ['0', '2']);
    enumerator.handleSplitRequest(1);
    assert.deepEqual(events.slice(2), ['1:end'], 'asking again: nothing more');
    enumerator.addSplitsBack([splits[3]!]);
    enumerator.addReader(0);
    assert.deepEqual(events.slice(3), ['0:0,2', '0:end'], 'subtask 0 does not get subtask 1\'s split back');
    enumerator.addReader(1);
    assert.deepEqual(events.slice(5), ['1:3', '1:end'], 'the restarted owner does');
    assert.deepEqual(enumerator.snapshotState(), { version: 1, unassigned: [] });
  });
});
