export {
  KeyTypeError,
  InvalidMaxParallelismError,
  KeyGroupAssignmentError,
  type KeyGroupErrorCode,
} from './errors.js';
export { murmur3Bytes, murmur3Utf8 } from './murmur3.js';
export { encodeKey, keyHash, MAX_KEY_NESTING, type Key, type KeyAtom } from './key-bytes.js';
export {
  keyGroupOf,
  keyGroupAssigner,
  checkMaxParallelism,
  DEFAULT_MAX_PARALLELISM,
  UPPER_BOUND_MAX_PARALLELISM,
} from './key-group.js';
export { HashRing, DEFAULT_VIRTUAL_NODES, MAX_RING_POINTS } from './hash-ring.js';
export { AssignmentTable, type SerializedAssignmentTable } from './assignment-table.js';
export { assignKeyGroups, type AssignKeyGroupsOptions } from './key-group-assignment.js';
export {
  diffAssignments,
  minimalMoveCount,
  type AssignmentDiff,
  type KeyGroupMove,
  type KeyGroupTransfer,
} from './assignment-diff.js';
export {
  flinkRangeAssignment,
  flinkOperatorIndexForKeyGroup,
  type FlinkRangeAssignmentOptions,
} from './flink-range-assignment.js';
