import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CheckpointRestoreError,
  decodeMetadata,
  diffAssignments,
  encodeMetadata,
  keyGroupAssignmentOf,
  minimalMoveCount,
  planRestore,
  subtaskMemberId,
  type CheckpointMetadata,
} from '../../src/index.js';
import { sampleMetadata } from './fixtures.js';

const targets = (parallelism: number) => [
  { operatorId: 'numbers', parallelism, keyed: false },
  { operatorId: 'counts/by-key', parallelism, keyed: true },
];

/** Metadata as read back from storage, so the plan works on what a restore really sees. */
const stored = (m: CheckpointMetadata): CheckpointMetadata => decodeMetadata(encodeMetadata(m), 'test/_metadata');

describe('restore plan', () => {
  for (const next of [3, 5]) {
    test(`rescaling a savepoint from parallelism 4 to ${next} moves exactly the key groups the ring says`, () => {
      const metadata = stored(sampleMetadata(4));
      const window = metadata.operators[1]!;
      const previous = keyGroupAssignmentOf(window)!;
      const plan = planRestore(metadata, { operators: targets(next), maxParallelism: 128 });
      const op = plan.operators.get('counts/by-key')!;
      const table = op.keyGroupAssignment!;

      const members = Array.from({ length: next }, (_, i) => subtaskMemberId(i));
      const diff = diffAssignments(previous, table);
      assert.equal(op.moves.length, diff.moves.length);
      assert.equal(plan.movedKeyGroups, diff.moves.length);
      assert.equal(diff.moves.length, minimalMoveCount(previous, members), 'the ring moves the fewest groups possible');
      assert.ok(diff.moves.length < 128 / 2, `moved ${diff.moves.length} of 128`);
      const incoming = op.subtasks.flatMap((s) => s.incomingKeyGroups).sort((a, b) => a - b);
      assert.deepEqual(incoming, diff.moves.map((m) => m.keyGroup), 'the groups subtasks receive are the moved ones');

      // Every subtask restores the handles of exactly its key groups, from whoever held them.
      const oldHandle = new Map(window.subtasks.flatMap((s) => s.keyedState.map((h) => [h.keyGroup, h] as const)));
      const oldTimer = new Map(window.subtasks.flatMap((s) => s.timers.map((h) => [h.keyGroup, h] as const)));
      for (const subtask of op.subtasks) {
        assert.deepEqual(subtask.keyGroups, table.keyGroupsOf(subtaskMemberId(subtask.subtaskIndex)));
        assert.deepEqual(subtask.keyedState, subtask.keyGroups.map((g) => oldHandle.get(g)));
        assert.deepEqual(subtask.timers, subtask.keyGroups.filter((g) => oldTimer.has(g)).map((g) => oldTimer.get(g)));
      }
      const restored = op.subtasks.flatMap((s) => s.keyedState.map((h) => h.keyGroup)).sort((a, b) => a - b);
      assert.deepEqual(restored, Array.from({ length: 128 }, (_, g) => g), 'each key group is restored exactly once');

      // Operator state after a rescale: every previous subtask's state, for the operator to split.
      const source = plan.operators.get('numbers')!;
      assert.equal(source.previousParallelism, 4);
      for (const subtask of source.subtasks) {
        assert.deepEqual(subtask.operatorState.map((s) => s.subtaskIndex), [0, 1, 2, 3]);
        assert.deepEqual(subtask.keyGroups, []);
      }
    });
  }

  test('at the same parallelism nothing moves and each subtask gets its own state', () => {
    const metadata = stored(sampleMetadata(4));
    const plan = planRestore(metadata, { operators: targets(4), maxParallelism: 128 });
    assert.equal(plan.movedKeyGroups, 0);
    const op = plan.operators.get('counts/by-key')!;
    assert.ok(op.keyGroupAssignment!.equals(keyGroupAssignmentOf(metadata.operators[1]!)!));
    assert.deepEqual(op.subtasks.map((s) => s.incomingKeyGroups.length), [0, 0, 0, 0]);
    assert.deepEqual(plan.operators.get('numbers')!.subtasks.map((s) => s.operatorState), [
      [{ subtaskIndex: 0, state: { next: 1000 } }],
      [{ subtaskIndex: 1, state: { next: 1001 } }],
      [{ subtaskIndex: 2, state: { next: 1002 } }],
      [{ subtaskIndex: 3, state: { next: 1003 } }],
    ]);
  });

  test('in-flight records of an unaligned checkpoint go to the same subtask, and refuse a changed parallelism naming the operator', () => {
    const base = sampleMetadata(2);
    const withChannelState: CheckpointMetadata = {
      ...base,
      operators: base.operators.map((op, i) => (i !== 1 ? op : {
        ...op,
        subtasks: op.subtasks.map((s) => ({ ...s, channelState: { path: `counts/${s.subtaskIndex}/channel-state`, offset: 0, length: 10 } })),
      })),
    };
    const metadata = stored(withChannelState);
    const plan = planRestore(metadata, { operators: targets(2), maxParallelism: 128 });
    assert.deepEqual(plan.operators.get('counts/by-key')!.subtasks.map((s) => s.channelState?.path), ['counts/0/channel-state', 'counts/1/channel-state']);
    assert.equal(plan.operators.get('numbers')!.subtasks[0]!.channelState, undefined);
    // The source changes its parallelism: the counts' input channels change too.
    const rescaled = [{ operatorId: 'numbers', parallelism: 3, keyed: false }, { operatorId: 'counts/by-key', parallelism: 2, keyed: true }];
    assert.throws(() => planRestore(metadata, { operators: rescaled, maxParallelism: 128 }), (err: unknown) =>
      err instanceof CheckpointRestoreError && /unaligned checkpoint holding in-flight records \(of operator "counts\/by-key"\).*operator "numbers" changes from 2 to 3.*rescale from a savepoint/.test(err.message));
  });

  test('a snapshot operator the job lacks fails the restore naming it, unless non-restored state is allowed', () => {
    const metadata = stored(sampleMetadata(2));
    const jobOperators = [{ operatorId: 'numbers', parallelism: 2, keyed: false }, { operatorId: 'new-sink', parallelism: 1, keyed: false }];
    assert.throws(() => planRestore(metadata, { operators: jobOperators, maxParallelism: 128 }), (err: unknown) => {
      assert.ok(err instanceof CheckpointRestoreError);
      assert.equal(err.operatorId, 'counts/by-key');
      assert.match(err.message, /operator "counts\/by-key", which the job does not have.*--allow-non-restored-state/);
      return true;
    });
    const plan = planRestore(metadata, { operators: jobOperators, maxParallelism: 128, allowNonRestoredState: true });
    assert.deepEqual(plan.skippedOperators, ['counts/by-key']);
    assert.deepEqual(plan.operatorsWithoutState, ['new-sink']);
    assert.deepEqual([...plan.operators.keys()], ['numbers']);
  });

  test('keyed state cannot change its number of key groups or stop being keyed', () => {
    const metadata = stored(sampleMetadata(2));
    assert.throws(() => planRestore(metadata, { operators: targets(2), maxParallelism: 256 }), /maxParallelism 256, the snapshot 128/);
    assert.throws(
      () => planRestore(metadata, { operators: [targets(2)[0]!, { operatorId: 'counts/by-key', parallelism: 2, keyed: false }], maxParallelism: 128 }),
      /operator "counts\/by-key" was keyed in the snapshot and is not keyed in the job/,
    );
    assert.throws(() => planRestore(metadata, { operators: targets(129), maxParallelism: 128 }), /parallelism 129 is above maxParallelism 128/);
  });
});
