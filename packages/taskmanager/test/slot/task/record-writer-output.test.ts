import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CustomPartitioning } from '@rivulet/api';
import type { EdgePartitioning, OutputDescriptor } from '@rivulet/common';
import type { ChannelEvent, ResultPartitionWriter } from '../../../src/network/network-api.js';
import { ElementTimestamp } from '../../../src/slot/task/event-time/element-timestamp.js';
import { shuffleSelector } from '../../../src/slot/task/channel-selectors.js';
import { createRecordWriterOutput } from '../../../src/slot/task/record-writer-output.js';

/** The subpartition of every record a partition was given, in order. */
class SubpartitionLog implements ResultPartitionWriter {
  readonly id = 'job/0/up>down/0';
  readonly sent: string[] = [];
  constructor(readonly numberOfSubpartitions: number) {}
  emit(subpartition: number, record: unknown): void {
    this.sent.push(`${String(record)}>${subpartition}`);
  }
  broadcastEmit(record: unknown): void {
    for (let k = 0; k < this.numberOfSubpartitions; k++) this.emit(k, record);
  }
  emitSerialized(): void {}
  flushAll(): void {}
  broadcastEvent(_event: ChannelEvent): void {}
  isAvailable(): boolean {
    return true;
  }
  whenAvailable(): Promise<void> {
    return Promise.resolve();
  }
  whenFullyConsumed(): Promise<void> {
    return Promise.resolve();
  }
  release(): void {}
}

function descriptor(partitioning: EdgePartitioning, numberOfSubpartitions: number): OutputDescriptor {
  return { targetVertexId: 'down', targetOperatorId: 'down', partitioning, partitionId: 'job/0/up>down/0', numberOfSubpartitions };
}

/** Sends records 1..count through the output of `partitioning`, as subtask `subtaskIndex`; returns `record>subpartition` per record. */
function route(partitioning: EdgePartitioning, subpartitions: number, count: number, options: { subtaskIndex?: number; custom?: CustomPartitioning } = {}): string[] {
  const writer = new SubpartitionLog(subpartitions);
  const customEdge = options.custom && { partitioning: options.custom, description: "operator 'Up' (up) to down" };
  const output = createRecordWriterOutput(descriptor(partitioning, subpartitions), writer, 128, undefined, options.subtaskIndex ?? 0, new ElementTimestamp(), customEdge);
  for (let record = 1; record <= count; record++) output.collect(record);
  return writer.sent;
}

describe('record writer output of each partitioning', () => {
  test('rescale: round-robin over this producer\'s subpartitions (its group), from the first', () => {
    assert.deepEqual(route('rescale', 2, 5), ['1>0', '2>1', '3>0', '4>1', '5>0']);
    assert.deepEqual(route('rescale', 2, 3, { subtaskIndex: 1 }), ['1>0', '2>1', '3>0'], 'every producer starts at its group\'s first subpartition');
    assert.deepEqual(route('rescale', 1, 3), ['1>0', '2>0', '3>0']);
  });

  test('rebalance: round-robin over every subpartition, starting at the subtask index', () => {
    assert.deepEqual(route('rebalance', 3, 4, { subtaskIndex: 1 }), ['1>1', '2>2', '3>0', '4>1']);
  });

  test('global: every record to subpartition 0 (downstream subtask 0)', () => {
    assert.deepEqual(route('global', 4, 3, { subtaskIndex: 2 }), ['1>0', '2>0', '3>0']);
  });

  test('shuffle: every subpartition in range, about uniformly', () => {
    const counts = [0, 0, 0, 0];
    for (const sent of route('shuffle', 4, 4000)) counts[Number(sent.split('>')[1])]! += 1;
    for (const count of counts) assert.ok(count > 800 && count < 1200, `counts ${counts.join(', ')} are not about 1000 each`);
  });

  test('shuffle: the subpartition is floor(random * n), so 0 and n-1 are both reachable', () => {
    const values = [0, 0.2499, 0.25, 0.999999];
    const select = shuffleSelector(4, () => values.shift()!);
    assert.deepEqual([1, 2, 3, 4].map(select), [0, 0, 1, 3]);
  });

  test('broadcast: every record to every subpartition', () => {
    assert.deepEqual(route('broadcast', 2, 2), ['1>0', '1>1', '2>0', '2>1']);
  });

  test('custom: the partitioner\'s result for the selected key', () => {
    const custom: CustomPartitioning = {
      keySelector: (record) => (record as number) * 10,
      partitioner: (key, partitions) => ((key as number) / 10) % partitions,
    };
    assert.deepEqual(route('custom', 3, 4, { custom }), ['1>1', '2>2', '3>0', '4>1']);
  });

  test('custom: a result out of range, negative or not an integer fails with an error naming the edge, the value and the key', () => {
    for (const [result, shown] of [[3, '3'], [-1, '-1'], [1.5, '1.5'], [Number.NaN, 'NaN'], ['1', '"1"']] as const) {
      const custom: CustomPartitioning = { keySelector: () => 'k', partitioner: () => result as number };
      assert.throws(() => route('custom', 3, 1, { custom }), {
        name: 'RangeError',
        message: `partitionCustom() on the edge from operator 'Up' (up) to down: the partitioner returned ${shown} for key "k"; it must be an integer in [0, 3)`,
      });
    }
  });

  test('custom without a partitioner (a bundle that built another graph) fails clearly', () => {
    assert.throws(() => route('custom', 2, 1), /custom edge to down has no partitioner in the job bundle/);
  });
});
