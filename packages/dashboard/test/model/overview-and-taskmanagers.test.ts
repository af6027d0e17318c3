import { test } from 'node:test';
import assert from 'node:assert/strict';
import { overviewModel, taskManagerRows } from '../../src/model/overview-model.js';
import { taskManagerDetailModel } from '../../src/model/taskmanager-model.js';
import type { JobManagersResponse, TaskManagerDetailResponse } from '../../src/model/rest-types.js';

test('overview: slots in use, jobs by state, leader, standbys and uptime', () => {
  const jobManagers: JobManagersResponse = {
    'high-availability': 'etcd',
    self: { 'rpc-address': 'jm1:6123', 'rest-address': 'jm1:8081', leader: true, 'start-time': 1_000, 'leader-since': 61_000 },
    leader: { 'rpc-address': 'jm1:6123', 'rest-address': 'jm1:8081', leader: true },
    jobmanagers: [
      { 'rpc-address': 'jm1:6123', 'rest-address': 'jm1:8081', leader: true },
      { 'rpc-address': 'jm2:6123', 'rest-address': 'jm2:8081', leader: false },
    ],
    timestamp: 0,
  };
  const model = overviewModel(
    { taskmanagers: 3, 'slots-total': 6, 'slots-available': 2, 'jobs-running': 1, 'jobs-finished': 4, 'jobs-cancelled': 1, 'jobs-failed': 0 },
    jobManagers,
    181_000,
  );
  assert.equal(model.slotsInUse, '4 of 6 in use');
  assert.equal(model.leader, 'jm1:8081');
  assert.deepEqual(model.standbys, ['jm2:8081']);
  assert.equal(model.uptime, '2m 00s');
  assert.equal(model.jobManagerUptime, '3m 00s');
});

test('TaskManager rows flag a late heartbeat', () => {
  const rows = taskManagerRows([
    { id: 'tm-b', path: 'h:2', dataPort: 1, httpPort: 2, timeSinceLastHeartbeat: 4000, slotsNumber: 2, freeSlots: 0 },
    { id: 'tm-a', path: 'h:1', dataPort: 1, httpPort: 2, timeSinceLastHeartbeat: 300, slotsNumber: 2, freeSlots: 1 },
  ]);
  assert.deepEqual(rows.map((r) => [r.id, r.slots, r.late]), [['tm-a', '1/2 in use', false], ['tm-b', '2/2 in use', true]]);
});

test('TaskManager detail: current figures from the last sample, chart columns, and "unreachable" without a status', () => {
  const detail: TaskManagerDetailResponse = {
    id: 'tm-a', path: 'h:1', dataPort: 1, httpPort: 2, 'registered-at': 1_000, timeSinceLastHeartbeat: 200, slotsNumber: 2, freeSlots: 1,
    slots: [{ index: 0, 'job-id': 'j1', 'allocation-id': 'a' }, { index: 1, 'job-id': null, 'allocation-id': null }],
    tasks: [{ 'job-id': 'j1', 'job-name': 'clicks', 'vertex-id': 'v', 'vertex-name': 'Map', subtask: 0, attempt: 1, state: 'RUNNING' }],
    status: {
      timestamp: 5_000,
      'heartbeat-send-delay-ms': 1.5,
      network: { connections: 2, 'bytes-in': 1024, 'bytes-out': 2048 },
      history: [1, 2].map((i) => ({
        t: i * 1000, cpu: 0.25 * i, 'heap-used': 30 * 1024 * 1024, 'heap-total': 40 * 1024 * 1024, rss: 200 * 1024 * 1024,
        'event-loop-delay-p99-ms': 2 * i, 'event-loop-delay-max-ms': 5 * i, 'input-queue': i, 'output-queue': 0, 'bytes-in-per-second': 0, 'bytes-out-per-second': 0,
      })),
    },
  };
  const model = taskManagerDetailModel(detail, 11_000);
  assert.equal(model.current.cpu, '0.50 cores');
  assert.equal(model.current.heap, '30.0 MB of 40.0 MB');
  assert.equal(model.current.eventLoop, 'p99 4 ms, max 10 ms');
  assert.equal(model.current.buffers, '2 queued in, 0 queued out');
  assert.equal(model.slotsInUse, '1 of 2 in use');
  assert.deepEqual(model.series.times, [1, 2]);
  assert.deepEqual(model.series.cpu, [0.25, 0.5]);
  assert.equal(model.tasks[0]!.task, 'Map (1)');
  assert.equal(model.unreachable, false);
  assert.equal(taskManagerDetailModel({ ...detail, status: null }, 11_000).unreachable, true);
});
