import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FromElementsSource } from '../../../src/source/builtin/index.js';
import { runSource } from './in-process-source.js';

const DESCRIPTION = "source 'Source: Elements' (source-elements-0)";
const VALUES = ['a', 'b', 'c', 'd', 'e'];

describe('fromElements on the Source API (FromElementsSource)', () => {
  test('one split of all the values, emitted in order; the enumerator needs no values', async () => {
    const run = await runSource(new FromElementsSource(VALUES, DESCRIPTION), 1);
    assert.deepEqual(run.assigned, [[{ splitId: '0', next: 0 }]]);
    assert.deepEqual(new FromElementsSource(undefined, DESCRIPTION).createEnumerator({} as never).snapshotState(1), { version: 1, unassigned: [{ splitId: '0', next: 0 }] });
    assert.throws(() => new FromElementsSource(undefined, DESCRIPTION).createReader(), /source 'Source: Elements' \(source-elements-0\): fromElements has no values in the job bundle as built here/);
    assert.deepEqual(run.records, [VALUES]);
    assert.deepEqual(run.ended, [true]);
  });

  test('a checkpoint holds the position of the next value; a restore emits the rest', async () => {
    const source = new FromElementsSource(VALUES, DESCRIPTION);
    const first = await runSource(source, 1, { limit: () => 2, batch: 1 });
    assert.deepEqual(first.records, [['a', 'b']]);
    assert.deepEqual(first.readerStates, [[{ splitId: '0', next: 2 }]]);
    const rest = await runSource(source, 1, { from: first });
    assert.deepEqual(rest.records, [['c', 'd', 'e']]);
  });

  test('the state of before the Source API ({ index }) restores at its index', async () => {
    const run = await runSource(new FromElementsSource(VALUES, DESCRIPTION), 1, { readerStates: [[{ index: 3 }]], enumeratorCheckpoint: { version: 1, unassigned: [] } });
    assert.deepEqual(run.records, [['d', 'e']]);
    assert.deepEqual(run.ended, [true]);
  });

  test('a restored position beyond the values (the job\'s values changed) fails naming the source', async () => {
    const source = new FromElementsSource(['a', 'b'], DESCRIPTION);
    await assert.rejects(
      runSource(source, 1, { readerStates: [[{ splitId: '0', next: 5 }]], enumeratorCheckpoint: { version: 1, unassigned: [] } }),
      /source 'Source: Elements' \(source-elements-0\): split "0" resumes at value 5 but fromElements has 2/,
    );
    assert.throws(() => source.splitsOfReaderState([{ next: 'x' }]), /entry 0 of its restored state is not an elements split/);
  });
});
