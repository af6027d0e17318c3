/** A valid metadata value for tests: source (not keyed) → window (keyed), `parallelism` subtasks each. */
import {
  assignKeyGroups,
  subtaskMemberId,
  CHECKPOINT_METADATA_FORMAT,
  CHECKPOINT_METADATA_VERSION,
  type CheckpointMetadata,
  type OperatorState,
} from '../../src/index.js';

export function sampleMetadata(parallelism: number, maxParallelism = 128): CheckpointMetadata {
  const table = assignKeyGroups({
    members: Array.from({ length: parallelism }, (_, i) => subtaskMemberId(i)),
    numberOfKeyGroups: maxParallelism,
  });
  const source: OperatorState = {
    operatorId: 'numbers',
    parallelism,
    subtasks: Array.from({ length: parallelism }, (_, i) => ({
      subtaskIndex: i, keyedState: [], timers: [], operatorState: { next: 1000 + i }, stateSize: 12,
    })),
  };
  const window: OperatorState = {
    operatorId: 'counts/by-key',
    parallelism,
    keyGroupAssignment: table.toJSON(),
    subtasks: Array.from({ length: parallelism }, (_, i) => {
      const groups = table.keyGroupsOf(subtaskMemberId(i));
      const path = `counts%2Fby-key/${i}/keyed`;
      return {
        subtaskIndex: i,
        keyedState: groups.map((keyGroup, n) => ({ keyGroup, path, offset: n * 100, length: 100 })),
        timers: groups.filter((g) => g % 2 === 0).map((keyGroup, n) => ({ keyGroup, path: `counts%2Fby-key/${i}/timers`, offset: n * 8, length: 8 })),
        operatorState: null,
        stateSize: groups.length * 100 + groups.filter((g) => g % 2 === 0).length * 8,
      };
    }),
  };
  const stateSize = [source, window].flatMap((op) => op.subtasks).reduce((sum, s) => sum + s.stateSize, 0);
  return {
    format: CHECKPOINT_METADATA_FORMAT,
    version: CHECKPOINT_METADATA_VERSION,
    jobId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    checkpointId: 17,
    triggerTimestamp: 1_700_000_000_000,
    completionTimestamp: 1_700_000_000_250,
    savepoint: true,
    maxParallelism,
    stateSize,
    operators: [source, window],
  };
}
