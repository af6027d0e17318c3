import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CheckpointMetadataError,
  SubtaskStateSnapshotError,
  decodeMetadata,
  decodeSubtaskStateSnapshot,
  encodeMetadata,
  encodeSubtaskStateSnapshot,
  keyGroupAssignmentOf,
  type CheckpointMetadata,
  type SubtaskStateSnapshot,
} from '../../src/index.js';
import { sampleMetadata } from './fixtures.js';

const PATH = 's3://bucket/checkpoints/job/chk-17/_metadata';
const text = (m: unknown): string => JSON.stringify(m);

function decodeFails(content: string, pattern: RegExp): void {
  assert.throws(() => decodeMetadata(content, PATH), (err: unknown) => {
    assert.ok(err instanceof CheckpointMetadataError, String(err));
    assert.equal(err.path, PATH);
    assert.ok(err.message.startsWith(`checkpoint metadata ${PATH}: `), err.message);
    assert.match(err.reason, pattern);
    assert.equal(err.exitCode, 1);
    return true;
  });
}

describe('_metadata format', () => {
  test('round trip: encode then decode gives the same metadata', () => {
    const metadata = sampleMetadata(4);
    const decoded = decodeMetadata(encodeMetadata(metadata), PATH);
    assert.deepEqual(decoded, metadata);
    assert.ok(keyGroupAssignmentOf(decoded.operators[1]!)?.equals(keyGroupAssignmentOf(metadata.operators[1]!)!));
    assert.equal(keyGroupAssignmentOf(decoded.operators[0]!), undefined);
  });

  test('empty, truncated or non-JSON content is an error naming the path', () => {
    decodeFails('', /the file is empty/);
    const full = new TextDecoder().decode(encodeMetadata(sampleMetadata(2)));
    decodeFails(full.slice(0, full.length / 2), /not JSON \(corrupted or truncated\)/);
    decodeFails('\u0000\u0001garbage', /not JSON/);
  });

  test('foreign files and other versions are refused', () => {
    decodeFails(text({ hello: 'world' }), /not Rivulet checkpoint metadata \(format missing/);
    decodeFails(text({ ...sampleMetadata(2), version: 2 }), /written by a newer Rivulet \(format version 2; this one reads version 1\)/);
    decodeFails(text({ ...sampleMetadata(2), version: 'one' }), /unknown format version "one"/);
  });

  test('schema violations name the field', () => {
    const m = sampleMetadata(2);
    const window = m.operators[1]!;
    const badHandle = { ...window, subtasks: [{ ...window.subtasks[0]!, keyedState: [{ ...window.subtasks[0]!.keyedState[0]!, offset: -1 }] }, window.subtasks[1]!] };
    decodeFails(text({ ...m, operators: [m.operators[0], badHandle] }), /operators\[1\]\.subtasks\[0\]\.keyedState\[0\]\.offset/);
    decodeFails(text({ ...m, checkpointId: 0 }), /checkpointId/);
    decodeFails(text({ ...m, extra: true }), /Unrecognized key/);
    const escaping = { ...window, subtasks: [{ ...window.subtasks[0]!, keyedState: [{ ...window.subtasks[0]!.keyedState[0]!, path: '../other-job/state' }] }, window.subtasks[1]!] };
    decodeFails(text({ ...m, operators: [m.operators[0], escaping] }), /path: must be a relative path/);
  });

  test('invariant violations are found: ownership, subtask count, sizes, tables', () => {
    const m = sampleMetadata(2);
    const [source, window] = m.operators as [CheckpointMetadata['operators'][0], CheckpointMetadata['operators'][0]];
    const foreignGroup = window.subtasks[1]!.keyedState[0]!;
    const stolen = { ...window, subtasks: [{ ...window.subtasks[0]!, keyedState: [...window.subtasks[0]!.keyedState, foreignGroup] }, window.subtasks[1]!] };
    decodeFails(text({ ...m, operators: [source, stolen] }), new RegExp(`key group ${foreignGroup.keyGroup} is not owned by subtask 0`));
    decodeFails(text({ ...m, operators: [source, { ...window, parallelism: 3 }] }), /2 subtasks for parallelism 3/);
    decodeFails(text({ ...m, stateSize: m.stateSize + 1 }), /stateSize .* is not the sum/);
    decodeFails(text({ ...m, operators: [source, { ...window, keyGroupAssignment: { format: 'x' } }] }), /keyGroupAssignment: not a serialized assignment table/);
    decodeFails(text({ ...m, maxParallelism: 64 }), /has 128 key groups, maxParallelism is 64/);
    const keyedSource = { ...source, subtasks: [{ ...source.subtasks[0]!, timers: [foreignGroup] }, source.subtasks[1]!] };
    decodeFails(text({ ...m, operators: [keyedSource, window] }), /an operator without key groups has keyed handles/);
    decodeFails(text({ ...m, operators: [source, source] }), /operator id appears twice/);
  });

  test('encode refuses metadata that breaks an invariant', () => {
    const m = sampleMetadata(2);
    assert.throws(() => encodeMetadata({ ...m, stateSize: 1 }), /refusing to write invalid checkpoint metadata: stateSize/);
  });
});

describe('subtask state snapshot (AcknowledgeCheckpoint.state_handles)', () => {
  const snapshot: SubtaskStateSnapshot = {
    format: 'rivulet.subtask-state.v1',
    operators: [
      { operatorId: 'counts', keyedState: [{ keyGroup: 3, path: 'counts/0/keyed', offset: 0, length: 40 }], timers: [], operatorState: null, stateSize: 40 },
      { operatorId: 'sink', keyedState: [], timers: [], operatorState: { pending: ['part-0-7.inprogress'] }, stateSize: 30 },
    ],
  };

  test('round trip; empty bytes mean no state', () => {
    assert.deepEqual(decodeSubtaskStateSnapshot(encodeSubtaskStateSnapshot(snapshot)), snapshot);
    assert.deepEqual(decodeSubtaskStateSnapshot(new Uint8Array()), { format: 'rivulet.subtask-state.v1', operators: [] });
  });

  test('invalid snapshots are refused with the reason', () => {
    const bad = (value: unknown, pattern: RegExp): void =>
      assert.throws(() => decodeSubtaskStateSnapshot(JSON.stringify(value)), (err: unknown) => err instanceof SubtaskStateSnapshotError && pattern.test(err.message));
    const op = snapshot.operators[0]!;
    bad({ ...snapshot, operators: [{ ...op, keyedState: [...op.keyedState, ...op.keyedState] }] }, /key group 3 appears twice/);
    bad({ ...snapshot, operators: [op, op] }, /operator "counts" appears twice/);
    bad({ ...snapshot, operators: [{ ...op, keyedState: [{ ...op.keyedState[0], path: '/abs' }] }] }, /must be a relative path/);
    bad({ ...snapshot, format: 'v0' }, /format/);
    assert.throws(() => decodeSubtaskStateSnapshot('{'), /not JSON/);
  });
});
