import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exceptionsModel } from '../../src/model/exceptions-model.js';
import { STALE_TASK_FIGURES_MS, subtaskTables } from '../../src/model/subtasks-model.js';
import type { JobTaskMetricsResponse, TaskFigures } from '../../src/model/rest-types.js';

test('exceptions: newest first as the REST API gives them, first line as the summary, the cause kept', () => {
  const model = exceptionsModel({
    'root-exception': 'TaskManager tm-2 was lost',
    timestamp: 2,
    exceptionHistory: {
      truncated: false,
      entries: [
        { exceptionName: 'Failure', stacktrace: 'TaskManager tm-2 was lost (connection)', timestamp: 1_700_000_000_000, taskName: null, location: 'tm-2', cause: 'taskmanager-lost' },
        { exceptionName: 'TypeError', stacktrace: 'TypeError: boom\n    at map (job.ts:3:9)', timestamp: 1_699_999_000_000, taskName: 'Map (1/2)', location: 'tm-1', cause: 'task' },
      ],
    },
  });
  assert.equal(model.root, 'TaskManager tm-2 was lost');
  assert.deepEqual(model.rows.map((r) => [r.name, r.summary, r.task, r.cause]), [
    ['Failure', 'TaskManager tm-2 was lost (connection)', 'the job', 'taskmanager-lost'],
    ['TypeError', 'TypeError: boom', 'Map (1/2)', 'task'],
  ]);
});

const figures = (age: number): TaskFigures & { 'age-ms': number } => ({
  'records-in': 1000, 'records-out': 990, 'records-in-per-second': 100, 'records-out-per-second': 99,
  'bytes-in': 3 * 1024 * 1024, 'bytes-out': 0, 'bytes-in-per-second': 1536, 'bytes-out-per-second': 0,
  'busy-time-ms-per-second': 250, 'idle-time-ms-per-second': 750, 'backpressured-time-ms-per-second': 0,
  'input-watermark': null, 'output-watermark': null, 'age-ms': age,
});

test('subtasks: figures with units, and a running subtask without recent figures marked stale', () => {
  const response: JobTaskMetricsResponse = {
    jid: 'j', timestamp: 10_000,
    vertices: [{
      id: 'v', name: 'Map', parallelism: 3, metrics: null,
      subtasks: [
        { subtask: 0, attempt: 0, state: 'RUNNING', taskmanager: 'tm-1', host: '10.0.0.1', 'start-time': 4000, metrics: figures(300) },
        { subtask: 1, attempt: 2, state: 'RUNNING', taskmanager: 'tm-2', host: null, 'start-time': 4000, metrics: figures(STALE_TASK_FIGURES_MS + 1) },
        { subtask: 2, attempt: 0, state: 'RUNNING', taskmanager: 'tm-3', host: null, 'start-time': null, metrics: null },
      ],
    }],
  };
  const [table] = subtaskTables(response, 10_000);
  const [first, second, third] = table!.rows;
  assert.equal(first!.subtask, '1/3');
  assert.equal(first!.taskManager, 'tm-1 (10.0.0.1)');
  assert.equal(first!.recordsIn, '1,000');
  assert.equal(first!.rateOut, '99 records/s');
  assert.equal(first!.busy, '25%');
  assert.equal(first!.bytesIn, '3.00 MB · 1.50 KB/s');
  assert.equal(first!.bytesOut, '0 B · 0 B/s');
  assert.equal(first!.duration, '6.0 s');
  assert.equal(first!.stale, false);
  assert.equal(second!.attempt, '2');
  assert.equal(second!.stale, true);
  assert.equal(third!.stale, true);
  assert.equal(third!.recordsIn, '—');
  assert.equal(third!.bytesIn, '—');
});
