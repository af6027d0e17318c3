import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SlotTable } from '../../src/index.js';

/**
 * SlotTable has no public allocate yet (allocation arrives with the dataflow
 * issue), so these tests mark slots allocated through its private state.
 */
interface SlotInternals {
  slots: Array<{ readonly index: number; allocation: { readonly allocationId: string; readonly jobId: string } | undefined }>;
}

function allocate(table: SlotTable, index: number, jobId: string, allocationId = `alloc-${index}`): void {
  const slot = (table as unknown as SlotInternals).slots[index];
  assert.ok(slot, `slot ${index} exists`);
  slot.allocation = { allocationId, jobId };
}

describe('SlotTable', () => {
  test('a new table has the given number of free slots', () => {
    const table = new SlotTable(3);
    assert.equal(table.size, 3);
    assert.equal(table.free(), 3);
  });

  test('report lists every slot in index order with the wire shape', () => {
    const table = new SlotTable(2);
    assert.deepEqual(table.report(), [
      { index: 0, allocated: false, jobId: '', allocationId: '' },
      { index: 1, allocated: false, jobId: '', allocationId: '' },
    ]);
  });

  test('report shows allocated slots with their job and allocation ids', () => {
    const table = new SlotTable(3);
    allocate(table, 1, 'job-a', 'alloc-x');
    assert.deepEqual(table.report(), [
      { index: 0, allocated: false, jobId: '', allocationId: '' },
      { index: 1, allocated: true, jobId: 'job-a', allocationId: 'alloc-x' },
      { index: 2, allocated: false, jobId: '', allocationId: '' },
    ]);
    assert.equal(table.free(), 2);
  });

  test('report returns a fresh array each time', () => {
    const table = new SlotTable(1);
    const first = table.report();
    allocate(table, 0, 'job-a');
    assert.equal(first[0]?.allocated, false, 'an earlier report is a snapshot');
    assert.equal(table.report()[0]?.allocated, true);
  });

  test('releaseJob frees exactly the slots of that job and returns how many', () => {
    const table = new SlotTable(4);
    allocate(table, 0, 'job-a');
    allocate(table, 1, 'job-b');
    allocate(table, 3, 'job-a');
    assert.equal(table.free(), 1);

    assert.equal(table.releaseJob('job-a'), 2);
    assert.equal(table.free(), 3);
    assert.deepEqual(
      table.report().map((s) => [s.index, s.allocated, s.jobId]),
      [
        [0, false, ''],
        [1, true, 'job-b'],
        [2, false, ''],
        [3, false, ''],
      ],
    );
  });

  test('releaseJob is idempotent and ignores unknown jobs', () => {
    const table = new SlotTable(2);
    allocate(table, 0, 'job-a');
    assert.equal(table.releaseJob('job-a'), 1);
    assert.equal(table.releaseJob('job-a'), 0);
    assert.equal(table.releaseJob('job-unknown'), 0);
    assert.equal(table.free(), 2);
  });

  test('releaseJob of an empty job id frees nothing', () => {
    const table = new SlotTable(2);
    assert.equal(table.releaseJob(''), 0);
    assert.equal(table.free(), 2);
  });

  test('a table of zero slots reports nothing', () => {
    const table = new SlotTable(0);
    assert.equal(table.size, 0);
    assert.equal(table.free(), 0);
    assert.deepEqual(table.report(), []);
  });
});
