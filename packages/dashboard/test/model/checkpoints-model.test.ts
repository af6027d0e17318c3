import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointsModel } from '../../src/model/checkpoints-model.js';
import type { CheckpointEntryJson, CheckpointsResponse } from '../../src/model/rest-types.js';

const entry = (id: number, status: CheckpointEntryJson['status'], over: Partial<CheckpointEntryJson> = {}): CheckpointEntryJson => ({
  id, status, is_savepoint: false, checkpoint_type: 'CHECKPOINT', trigger_timestamp: 1_700_000_000_000 + id * 1000, latest_ack_timestamp: -1,
  state_size: 2048 * id, end_to_end_duration: 100 * id, num_subtasks: 4, num_acknowledged_subtasks: status === 'IN_PROGRESS' ? 1 : 4, ...over,
});

const stats: CheckpointsResponse = {
  counts: { restored: 1, total: 4, in_progress: 1, completed: 2, failed: 1 },
  summary: { state_size: { min: 2048, max: 4096, avg: 3072 }, end_to_end_duration: { min: 100, max: 200, avg: 150 } },
  latest: {
    completed: entry(2, 'COMPLETED', { external_path: 'file:///ckpt/chk-2' }),
    savepoint: null,
    failed: entry(3, 'FAILED', { failure_message: 'expired before completing', failure_timestamp: 1_700_000_004_000 }),
    restored: { id: 7, restore_timestamp: 1_700_000_000_500, is_savepoint: true, external_path: 'file:///sp/savepoint-1' },
  },
  history: [
    entry(4, 'IN_PROGRESS'),
    entry(3, 'FAILED', { failure_message: 'expired before completing' }),
    entry(2, 'COMPLETED', { external_path: 'file:///ckpt/chk-2' }),
    entry(1, 'COMPLETED', { external_path: 'file:///ckpt/chk-1' }),
  ],
};

test('history rows with duration, size, acknowledgements, path or failure', () => {
  const model = checkpointsModel(stats);
  assert.deepEqual(model.rows.map((r) => [r.id, r.status, r.duration, r.size, r.acknowledged, r.detail]), [
    [4, 'IN_PROGRESS', '400 ms', '8.00 KB', '1/4', 'in progress'],
    [3, 'FAILED', '300 ms', '6.00 KB', '4/4', 'expired before completing'],
    [2, 'COMPLETED', '200 ms', '4.00 KB', '4/4', 'file:///ckpt/chk-2'],
    [1, 'COMPLETED', '100 ms', '2.00 KB', '4/4', 'file:///ckpt/chk-1'],
  ]);
  assert.match(model.latestFailed, /^#3 at .*: expired before completing$/);
  assert.match(model.restored, /^savepoint #7 at .* from file:\/\/\/sp\/savepoint-1$/);
  assert.equal(model.averageDuration, '150 ms');
  assert.equal(model.averageSize, '3.00 KB');
});

test('the chart gets completed checkpoints only, oldest first, in seconds', () => {
  const { series } = checkpointsModel(stats);
  assert.deepEqual(series.durations, [100, 200]);
  assert.deepEqual(series.sizes, [2048, 4096]);
  assert.deepEqual(series.times, [1_700_000_001, 1_700_000_002]);
});

test('no checkpoint yet: no averages, "none" everywhere', () => {
  const model = checkpointsModel({ ...stats, counts: { ...stats.counts, completed: 0 }, latest: { completed: null, savepoint: null, failed: null, restored: null }, history: [] });
  assert.equal(model.averageDuration, '—');
  assert.equal(model.latestCompleted, 'none');
  assert.equal(model.restored, 'none');
  assert.deepEqual(model.series.times, []);
});

test('alignment: the longest of the acknowledged subtasks, with the longest start delay; a dash without acknowledgements or figures', () => {
  const model = checkpointsModel({
    ...stats,
    history: [
      entry(3, 'IN_PROGRESS', { num_acknowledged_subtasks: 0, alignment_duration: 0, start_delay: 0 }),
      entry(2, 'COMPLETED', { alignment_duration: 1250, start_delay: 3 }),
      entry(1, 'COMPLETED'),
    ],
  });
  assert.deepEqual(model.rows.map((r) => r.alignment), ['—', '1,250 ms (start 3 ms)', '—']);
});

test('an unaligned checkpoint says so, with its in-flight data; savepoints and aligned checkpoints keep their type', () => {
  const model = checkpointsModel({
    ...stats,
    history: [
      entry(3, 'COMPLETED', { checkpoint_type: 'UNALIGNED_CHECKPOINT', persisted_data: 3 * 1024 * 1024 }),
      entry(2, 'COMPLETED', { is_savepoint: true, checkpoint_type: 'SAVEPOINT' }),
      entry(1, 'COMPLETED'),
    ],
  });
  assert.deepEqual(model.rows.map((r) => r.type), ['checkpoint (unaligned, 3.00 MB in flight)', 'savepoint', 'checkpoint']);
});
