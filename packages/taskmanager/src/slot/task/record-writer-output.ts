import type { KeySelector } from '@rivulet/api';
import { keyGroupAssigner, type OutputDescriptor } from '@rivulet/common/task-runtime';
import type { ResultPartitionWriter } from '../../network/network-api.js';
import type { ElementTimestamp } from './event-time/element-timestamp.js';
import { customSelector, globalSelector, rescaleSelector, shuffleSelector, type ChannelSelector, type CustomEdge } from './channel-selectors.js';
import type { Output } from './output.js';
import { TaskIoCounters } from './task-io-counters.js';

/**
 * The end of a chain on one outgoing edge: picks the subpartition of each
 * record by the edge's partitioning and writes it to the result partition.
 * 'hash' routes key -> key group -> owning subtask by the ring's table, and
 * hands the key group along (emitInKeyGroup) where the writer carries it.
 *
 * A partition keeps a record (in a batch) until it is serialized, so it
 * needs records of its own (the output does not `acceptsShared`). A
 * consumer in the same slot's thread gets a copy taken at emit (the
 * partition takes it: thread-result-partition.ts), so a broadcast record
 * reaches every consumer as a record of its own.
 *
 * Each record leaves with the chain's current element timestamp (NaN: none),
 * which the partition carries beside the batch, and counts in `counted`
 * (the task's numRecordsOut when this edge's records are counted one by
 * one; counting here rather than in a CountingOutput in front saves a call
 * per record on the hottest path).
 */
export function createRecordWriterOutput(
  descriptor: OutputDescriptor,
  writer: ResultPartitionWriter,
  maxParallelism: number,
  keySelector: KeySelector<unknown, unknown> | undefined,
  subtaskIndex: number,
  timestamp: ElementTimestamp,
  /** Set on a 'custom' edge (partitionCustom). */
  customEdge: CustomEdge | undefined,
  counted: TaskIoCounters = new TaskIoCounters(),
): Output {
  switch (descriptor.partitioning) {
    case 'forward':
      return {
        collect(record) {
          counted.recordsOut += 1;
          writer.emit(0, record, timestamp.value);
        },
      };
    case 'broadcast':
      return {
        collect(record) {
          counted.recordsOut += 1;
          writer.broadcastEmit(record, timestamp.value);
        },
      };
    case 'rebalance': {
      const n = writer.numberOfSubpartitions;
      let next = subtaskIndex % n;
      return {
        collect(record) {
          counted.recordsOut += 1;
          writer.emit(next, record, timestamp.value);
          next = next + 1 === n ? 0 : next + 1;
        },
      };
    }
    case 'rescale':
    case 'shuffle':
    case 'global':
    case 'custom': {
      const select = selectorOf(descriptor, writer.numberOfSubpartitions, customEdge);
      return {
        collect(record) {
          counted.recordsOut += 1;
          writer.emit(select(record), record, timestamp.value);
        },
      };
    }
    case 'hash': {
      const owners = descriptor.keyGroupOwners;
      if (!owners || !keySelector) throw new Error(`hash edge to ${descriptor.targetVertexId} has no key-group table or key selector`);
      const keyGroupOf = keyGroupAssigner(maxParallelism);
      const table = Int32Array.from(owners);
      if (writer.emitInKeyGroup === undefined) {
        return {
          collect(record) {
            counted.recordsOut += 1;
            writer.emit(table[keyGroupOf(keySelector(record))]!, record, timestamp.value);
          },
        };
      }
      return {
        collect(record) {
          counted.recordsOut += 1;
          const keyGroup = keyGroupOf(keySelector(record));
          writer.emitInKeyGroup!(table[keyGroup]!, record, timestamp.value, keyGroup);
        },
      };
    }
  }
}

function selectorOf(descriptor: OutputDescriptor, numberOfSubpartitions: number, customEdge: CustomEdge | undefined): ChannelSelector {
  switch (descriptor.partitioning) {
    case 'rescale':
      return rescaleSelector(numberOfSubpartitions);
    case 'shuffle':
      return shuffleSelector(numberOfSubpartitions);
    case 'global':
      return globalSelector();
    default:
      if (!customEdge) throw new Error(`custom edge to ${descriptor.targetVertexId} has no partitioner in the job bundle as built on this TaskManager`);
      return customSelector(customEdge, numberOfSubpartitions);
  }
}
