import type { CustomPartitioning } from '@rivulet/api';

/** Picks the subpartition (downstream channel) of each record on one outgoing edge. */
export type ChannelSelector = (record: unknown) => number;

/** What a 'custom' edge needs: the user's functions, and how its errors name the edge. */
export interface CustomEdge {
  readonly partitioning: CustomPartitioning;
  /** e.g. `operator 'Map' (map-user-1) to process-user-2`. */
  readonly description: string;
}

/**
 * Flink's RescalePartitioner: round-robin over this producer's subpartitions,
 * starting at 0. On a 'rescale' edge the partition has one subpartition per
 * downstream subtask of the producer's group (pointwise-edges.ts), so the
 * records go round-robin over that group only.
 */
export function rescaleSelector(numberOfSubpartitions: number): ChannelSelector {
  let next = -1;
  return () => {
    next = next + 1 === numberOfSubpartitions ? 0 : next + 1;
    return next;
  };
}

/** Flink's ShufflePartitioner: a subpartition chosen uniformly at random per record. */
export function shuffleSelector(numberOfSubpartitions: number, random: () => number = Math.random): ChannelSelector {
  return () => Math.floor(random() * numberOfSubpartitions);
}

/** Flink's GlobalPartitioner: every record to downstream subtask 0. */
export function globalSelector(): ChannelSelector {
  return () => 0;
}

/**
 * partitionCustom: the partitioner's result for the record's key. A result
 * that is not an integer in [0, numberOfSubpartitions) throws, naming the
 * edge, the value and the key, and so fails the task.
 */
export function customSelector(edge: CustomEdge, numberOfSubpartitions: number): ChannelSelector {
  const { partitioner, keySelector } = edge.partitioning;
  return (record) => {
    const key = keySelector(record);
    const channel = partitioner(key, numberOfSubpartitions);
    if (!Number.isInteger(channel) || channel < 0 || channel >= numberOfSubpartitions) {
      throw new RangeError(
        `partitionCustom() on the edge from ${edge.description}: the partitioner returned ${describe(channel)} for key ${describe(key)}; ` +
          `it must be an integer in [0, ${numberOfSubpartitions})`,
      );
    }
    return channel;
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
