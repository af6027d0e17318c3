import type { KeySelector } from '@rivulet/api';
import { keyGroupAssigner, type OutputDescriptor } from '@rivulet/common/task-runtime';
import type { ResultPartitionWriter } from '../../control/network/network-api.js';
import { createRecordCopySite, type RecordCopyContext } from '../../records/record-copy.js';
import type { Output } from './output.js';

/**
 * The end of a chain on one outgoing edge: picks the subpartition of each
 * record by the edge's partitioning and writes it to the result partition.
 * 'hash' routes key -> key group -> owning subtask by the ring's table.
 *
 * A partition keeps a record (in a batch) until it is serialized or read by
 * a consumer in the same slot, so it needs records of its own (the output
 * does not `acceptsShared`). A broadcast record is in several batches at
 * once: with `broadcastCopies` (object reuse off) each consumer in this
 * slot's thread gets a copy, so none can change what the others receive
 * (the other batches are serialized before anyone reads them).
 */
export function createRecordWriterOutput(
  descriptor: OutputDescriptor,
  writer: ResultPartitionWriter,
  maxParallelism: number,
  keySelector: KeySelector<unknown, unknown> | undefined,
  subtaskIndex: number,
  broadcastCopies?: RecordCopyContext,
): Output {
  switch (descriptor.partitioning) {
    case 'forward':
      return { collect: (record) => writer.emit(0, record) };
    case 'broadcast': {
      const n = writer.numberOfSubpartitions;
      const inThread = new Set(descriptor.sameSlotSubpartitions ?? []);
      if (broadcastCopies === undefined || n < 2 || inThread.size === 0) return { collect: (record) => writer.broadcastEmit(record) };
      const copyFor = Array.from({ length: n }, (_, s) => inThread.has(s));
      const site = createRecordCopySite(broadcastCopies);
      return {
        collect(record) {
          for (let s = 0; s < n; s++) writer.emit(s, copyFor[s] === true ? site.copy(record) : record);
        },
      };
    }
    case 'rebalance': {
      const n = writer.numberOfSubpartitions;
      let next = subtaskIndex % n;
      return {
        collect(record) {
          writer.emit(next, record);
          next = next + 1 === n ? 0 : next + 1;
        },
      };
    }
    case 'hash': {
      const owners = descriptor.keyGroupOwners;
      if (!owners || !keySelector) throw new Error(`hash edge to ${descriptor.targetVertexId} has no key-group table or key selector`);
      const keyGroupOf = keyGroupAssigner(maxParallelism);
      const table = Int32Array.from(owners);
      return {
        collect(record) {
          writer.emit(table[keyGroupOf(keySelector(record))]!, record);
        },
      };
    }
  }
}
