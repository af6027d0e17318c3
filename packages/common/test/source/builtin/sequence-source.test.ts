import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NumberSequenceSource, type IndexRangeSplit } from '../../../src/source/builtin/index.js';
import { runSource } from './in-process-source.js';

const DESCRIPTION = "source 'Source: Sequence' (numbers)";
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);

describe('fromSequence on the Source API (NumberSequenceSource)', () => {
  test('the enumerator cuts [from, to] into one split per subtask, split k to subtask k, in order', async () => {
    for (let p = 1; p <= 5; p++) {
      const run = await runSource(new NumberSequenceSource(10, 1010, DESCRIPTION), p);
      assert.deepEqual(run.records.flat(), range(10, 1010), `parallelism ${p}: every number once, subtask by subtask`);
      assert.ok(run.ended.every(Boolean), `parallelism ${p}: every reader ended`);
      run.assigned.forEach((splits, k) => {
        assert.deepEqual(splits.map((s) => s.splitId), [String(k)], `parallelism ${p}: subtask ${k} got split ${k} only`);
        const { next, end } = splits[0]!;
        assert.ok(end - next === Math.floor(1001 / p) || end - next === Math.floor(1001 / p) + 1, 'shares differ by one number at most');
      });
      assert.deepEqual(run.enumeratorCheckpoint, { version: 1, unassigned: [] });
    }
  });

  test('a split on the batch path emits what the runtime asks for per poll, the same numbers', async () => {
    const run = await runSource(new NumberSequenceSource(-5, 994, DESCRIPTION), 3, { batch: 7 });
    assert.deepEqual(run.records.flat(), range(-5, 994));
  });

  test('a range shorter than the parallelism leaves some subtasks an empty split; they end at once', async () => {
    const run = await runSource(new NumberSequenceSource(0, 1, DESCRIPTION), 4);
    assert.deepEqual(run.records.flat(), [0, 1]);
    assert.ok(run.ended.every(Boolean));
  });

  test('a checkpoint holds each unfinished split at the next number; restored at another parallelism the rest is read once', async () => {
    const source = new NumberSequenceSource(1, 1000, DESCRIPTION);
    const first = await runSource(source, 4, { limit: (i) => 30 * (i + 1), batch: 10 });
    assert.deepEqual(first.readerStates[1], [{ splitId: '1', next: 251 + 60, end: 501 }], 'subtask 1 read 60 of [251, 501)');
    for (const p of [1, 3, 7]) {
      const rest = await runSource(source, p, { from: first });
      assert.deepEqual(sorted([...first.records.flat(), ...rest.records.flat()]), range(1, 1000), `restored at parallelism ${p}`);
      assert.ok(rest.ended.every(Boolean));
    }
  });

  test('splits not yet assigned at a checkpoint are in the enumerator\'s checkpoint, and go to their owner at the new parallelism', async () => {
    const source = new NumberSequenceSource(0, 99, DESCRIPTION);
    const checkpoint = { version: 1, unassigned: [{ splitId: '0', next: 0, end: 50 }, { splitId: '1', next: 50, end: 100 }] };
    const restored = await runSource(source, 3, { enumeratorCheckpoint: checkpoint });
    assert.deepEqual(restored.assigned.map((splits) => splits.map((s) => s.splitId)), [['0'], ['1'], []]);
    assert.deepEqual(restored.records.flat(), range(0, 99));
    assert.ok(restored.ended.every(Boolean), 'the subtask without a split ends too');
  });

  test('the state of before the Source API ({ next, end } ranges) restores, at any parallelism', async () => {
    // Two old subtasks of fromSequence(1, 100) that had read 1..20 and 51..60.
    const legacy = [[{ next: 21, end: 51 }], [{ next: 61, end: 101 }]];
    for (const p of [1, 2, 3]) {
      const readerStates = Array.from({ length: p }, (_, i) => legacy.filter((_, k) => k % p === i).flat());
      const run = await runSource(new NumberSequenceSource(1, 100, DESCRIPTION), p, { readerStates, enumeratorCheckpoint: { version: 1, unassigned: [] } });
      assert.deepEqual(sorted(run.records.flat()), [...range(21, 50), ...range(61, 100)], `parallelism ${p}`);
      assert.ok(run.ended.every(Boolean));
    }
    const mapped = new NumberSequenceSource(1, 100, DESCRIPTION).splitsOfReaderState(legacy[0]!);
    assert.deepEqual(mapped, [{ splitId: 'restored-21-51', next: 21, end: 51 }]);
  });

  test('a split given again (the enumerator re-serves readers after a JobManager failover) is not read twice', async () => {
    const source = new NumberSequenceSource(1, 10, DESCRIPTION);
    const reader = source.createReader();
    const split: IndexRangeSplit = { splitId: '0', next: 1, end: 11 };
    reader.addSplits([split]);
    const emitted: number[] = [];
    const output = { collect: (n: number) => void emitted.push(n), emitWatermark() {}, markIdle() {}, markActive() {}, createOutputForSplit: () => output, releaseOutputForSplit() {} };
    reader.pollNext(output);
    reader.addSplits([split]);
    reader.notifyNoMoreSplits();
    assert.equal(reader.pollNext(output), 'END_OF_INPUT');
    assert.deepEqual(emitted, range(1, 10));
    assert.deepEqual(reader.snapshotState(1), []);
  });

  test('bad input is refused naming the source', async () => {
    assert.throws(() => new NumberSequenceSource(5, 1, DESCRIPTION), /source 'Source: Sequence' \(numbers\): fromSequence\(5, 1\) needs safe integers with from <= to/);
    const source = new NumberSequenceSource(1, 10, DESCRIPTION);
    assert.throws(() => source.splitsOfReaderState([{ index: 3 }]), /source 'Source: Sequence' \(numbers\): entry 0 of its restored state is not a sequence split: \{"index":3\}/);
    await assert.rejects(runSource(source, 1, { enumeratorCheckpoint: [{ next: 1, end: 2 }] }), /source 'Source: Sequence' \(numbers\): its enumerator checkpoint is not one of a built-in source/);
  });
});
