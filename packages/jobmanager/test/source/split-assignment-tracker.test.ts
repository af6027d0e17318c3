import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SplitAssignmentTracker } from '../../src/source/split-assignment-tracker.js';

describe('SplitAssignmentTracker', () => {
  test('a subtask restoring from nothing gets back every split it was ever assigned, once', () => {
    const tracker = new SplitAssignmentTracker<string>();
    tracker.recordAssignment(0, ['a', 'b']);
    tracker.onCheckpoint(1);
    tracker.recordAssignment(0, ['c']);
    tracker.recordAssignment(1, ['d']);
    assert.deepEqual(tracker.takeUncheckpointed(0, undefined), ['a', 'b', 'c']);
    assert.deepEqual(tracker.takeUncheckpointed(0, undefined), []);
    assert.deepEqual(tracker.takeUncheckpointed(1, undefined), ['d']);
  });

  test('assignments a restored checkpoint covers stay with the reader; later ones come back', () => {
    const tracker = new SplitAssignmentTracker<string>();
    tracker.recordAssignment(0, ['before-1']);
    tracker.onCheckpoint(1);
    tracker.recordAssignment(0, ['before-2']);
    tracker.onCheckpoint(2);
    tracker.recordAssignment(0, ['after-2']);
    // Restoring from checkpoint 1 (2 was taken but the subtask restores from 1): what 1 does not cover comes back.
    assert.deepEqual(tracker.takeUncheckpointed(0, 1), ['before-2', 'after-2']);
  });

  test('a completed checkpoint drops the assignments it covers, an aborted one (never completed) keeps them', () => {
    const tracker = new SplitAssignmentTracker<string>();
    tracker.recordAssignment(0, ['x']);
    tracker.onCheckpoint(1); // aborted later: never completes
    tracker.recordAssignment(0, ['y']);
    tracker.onCheckpoint(2);
    tracker.recordAssignment(0, ['z']);
    tracker.onCheckpointComplete(2);
    assert.deepEqual(tracker.takeUncheckpointed(0, 2), ['z'], 'x and y are in checkpoint 2 (the reader had them before its barrier)');
  });

  test('other subtasks keep their assignments when one takes its own back', () => {
    const tracker = new SplitAssignmentTracker<string>();
    tracker.recordAssignment(0, ['a']);
    tracker.recordAssignment(1, ['b']);
    tracker.onCheckpoint(5);
    tracker.recordAssignment(1, ['c']);
    assert.deepEqual(tracker.takeUncheckpointed(0, undefined), ['a']);
    assert.deepEqual(tracker.takeUncheckpointed(1, 4), ['b', 'c']);
  });
});
