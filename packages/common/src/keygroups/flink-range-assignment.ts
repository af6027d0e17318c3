/**
 * Flink's contiguous-range assignment, kept for comparison with the ring (the
 * bench measures both): operator i owns the key groups g with
 * ⌊g·p / maxP⌋ = i, a contiguous range of ⌊maxP/p⌋ or ⌈maxP/p⌉ groups.
 */
import { AssignmentTable } from './assignment-table.js';
import { InvalidMaxParallelismError } from './errors.js';
import { checkMaxParallelism } from './key-group.js';

/** Flink's `KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup`. */
export function flinkOperatorIndexForKeyGroup(
  maxParallelism: number,
  parallelism: number,
  keyGroup: number,
): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

export interface FlinkRangeAssignmentOptions {
  readonly numberOfKeyGroups: number;
  readonly parallelism: number;
  /** Id of operator index i; @default String(i) */
  readonly memberIds?: readonly string[];
}

/** The table Flink would use; parallelism must be in 1..numberOfKeyGroups. */
export function flinkRangeAssignment(options: FlinkRangeAssignmentOptions): AssignmentTable {
  const m = checkMaxParallelism(options.numberOfKeyGroups, 'numberOfKeyGroups');
  const p = options.parallelism;
  if (!Number.isInteger(p) || p < 1 || p > m)
    throw new InvalidMaxParallelismError(p, m, 'parallelism');
  const ids = options.memberIds ?? Array.from({ length: p }, (_, i) => String(i));
  if (ids.length !== p) throw new InvalidMaxParallelismError(ids.length, p, 'memberIds.length');
  const owners = Array.from({ length: m }, (_, g) => ids[flinkOperatorIndexForKeyGroup(m, p, g)]!);
  return AssignmentTable.fromOwners(ids, owners);
}
