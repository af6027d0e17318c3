import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WatermarkStrategy, type OperatorFunctions, type Source, type SourceSplit } from '@rivulet/api';
import { CHECKPOINT_OF_READER_HELD_SPLITS, RECORD_BATCH_OUTPUT, createBuiltinSource, type ChainedOperator } from '@rivulet/common/task-runtime';
import { ElementTimestamp } from '../../../../src/slot/task/event-time/element-timestamp.js';
import { createSourceOperator } from '../../../../src/slot/task/sources/create-source-operator.js';
import { SourceReaderOutputs } from '../../../../src/slot/task/sources/source-reader-output.js';
import { LocalSplitEnumerator } from './local-split-enumerator.js';

const SEQUENCE: ChainedOperator = { id: 'numbers', name: 'Source: Sequence', kind: 'source', variant: 'sequence', keyed: false, params: { from: 1, to: 100 } };
const FUNCTIONS: Extract<OperatorFunctions, { kind: 'source' }> = { kind: 'source' };
const NO_WATERMARKS = { processWatermark: () => undefined, processWatermarkStatus: () => undefined };

/** A built-in source operator for subtask `subtask` of `parallelism`, its reader served by its enumerator in this thread. */
async function sequenceOperator(subtask: number, parallelism: number, next: { collect(record: unknown): void }, restored?: unknown[]) {
  const source = createBuiltinSource({ operatorId: SEQUENCE.id, name: SEQUENCE.name, variant: SEQUENCE.variant, params: SEQUENCE.params });
  const enumerator = new LocalSplitEnumerator(source as Source<unknown, SourceSplit, unknown>, parallelism, restored === undefined ? undefined : CHECKPOINT_OF_READER_HELD_SPLITS);
  const { source: operator, outputs } = createSourceOperator(SEQUENCE, FUNCTIONS, { subtaskIndex: subtask, parallelism, autoWatermarkIntervalMs: 200 }, { next, timestamp: new ElementTimestamp(), watermarks: NO_WATERMARKS }, enumerator, restored);
  enumerator.connect(subtask, (event) => operator.handleOperatorEvent(event));
  await operator.open();
  operator.applyEvents(Infinity);
  return { operator, outputs };
}

describe('a built-in source on the SourceOperator (TaskManager side)', () => {
  test('fromSequence at subtask 1 of 3 reads share 1, a batch per emit, and ends', async () => {
    const records: unknown[] = [];
    const { operator } = await sequenceOperator(1, 3, { collect: (r) => void records.push(r) });
    assert.equal(operator.emit({ collect: () => undefined }, 10), true);
    assert.deepEqual(records, [34, 35, 36, 37, 38, 39, 40, 41, 42, 43], 'one emit of 10 gives 10 records of share 1 = [34, 67)');
    assert.deepEqual(await operator.snapshotSplits(1), [{ splitId: '1', next: 44, end: 67 }]);
    let result = operator.emit({ collect: () => undefined }, 1000);
    while (result === true) result = operator.emit({ collect: () => undefined }, 1000);
    assert.equal(result, false, 'the input ended');
    assert.deepEqual(records, Array.from({ length: 33 }, (_, i) => 34 + i));
  });

  test('the state of before the Source API restores through the operator', async () => {
    const records: unknown[] = [];
    const { operator } = await sequenceOperator(0, 1, { collect: (r) => void records.push(r) }, [{ next: 91, end: 101 }]);
    assert.equal(operator.emit({ collect: () => undefined }, 1000), false);
    assert.deepEqual(records, [91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
  });

  test('an error of an operator chained after it fails the task as thrown, not as the reader\'s', async () => {
    const failure = new Error('the map failed');
    const { operator } = await sequenceOperator(0, 1, { collect: () => { throw failure; } });
    assert.throws(() => operator.emit({ collect: () => undefined }, 10), (err: unknown) => err === failure);
  });

  test('the batch path is offered for a strategy with no per-record work only', () => {
    const offered = (strategy: WatermarkStrategy<unknown>): boolean =>
      new SourceReaderOutputs(strategy, 'test', { collect: () => undefined }, new ElementTimestamp(), NO_WATERMARKS, 200)[RECORD_BATCH_OUTPUT] !== undefined;
    assert.equal(offered(WatermarkStrategy.noWatermarks()), true);
    assert.equal(offered(WatermarkStrategy.noWatermarks<unknown>().withTimestampAssigner(() => 1)), false, 'a timestamp assigner');
    assert.equal(offered(WatermarkStrategy.noWatermarks<unknown>().withIdleness(1000)), false, 'idleness');
    assert.equal(offered(WatermarkStrategy.forMonotonousTimestamps()), false, 'a watermark generator');
  });

  test('records on the batch path are counted against the emit\'s budget', () => {
    const records: unknown[] = [];
    const outputs = new SourceReaderOutputs(WatermarkStrategy.noWatermarks(), 'test', { collect: (r) => void records.push(r) }, new ElementTimestamp(), NO_WATERMARKS, 200);
    const batch = outputs[RECORD_BATCH_OUTPUT]!;
    outputs.count = 0;
    outputs.budget = 5;
    batch.records.collect('a');
    batch.records.collect('b');
    batch.emitted(2);
    assert.equal(batch.remaining(), 3);
    assert.deepEqual(records, ['a', 'b']);
  });
});
