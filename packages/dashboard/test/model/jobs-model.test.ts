import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterJobs, jobRows } from '../../src/model/jobs-model.js';
import type { JobOverviewRow } from '../../src/model/rest-types.js';

const now = 1_700_000_100_000;
const job = (jid: string, name: string, state: JobOverviewRow['state'], start: number, end = -1): JobOverviewRow => ({
  jid, name, state, 'start-time': start, 'end-time': end, duration: (end > 0 ? end : now - 5000) - start, 'last-modification': start,
  parallelism: 4, tasks: { RUNNING: state === 'RUNNING' ? 8 : 0, FINISHED: state === 'FINISHED' ? 8 : 0 },
});
const jobs = [
  job('a1', 'word-count', 'FINISHED', now - 90_000, now - 60_000),
  job('b2', 'clicks', 'RUNNING', now - 30_000),
  job('c3', 'sessions', 'FAILED', now - 50_000, now - 40_000),
];

test('/jobs/overview becomes rows, newest first, a running job lasting until now', () => {
  const rows = jobRows(jobs, now);
  assert.deepEqual(rows.map((r) => r.id), ['b2', 'c3', 'a1']);
  const running = rows[0]!;
  assert.equal(running.durationMs, 30_000, 'measured against the page clock, not the stale duration of the response');
  assert.equal(running.duration, '30.0 s');
  assert.equal(running.tasks, '8/8 running');
  assert.equal(running.tone, 'running');
  assert.equal(rows[2]!.duration, '30.0 s');
  assert.equal(rows[1]!.tone, 'failed');
});

test('filter by running or ended, search by name, id or state', () => {
  const rows = jobRows(jobs, now);
  assert.deepEqual(filterJobs(rows, { filter: 'running', search: '' }).map((r) => r.id), ['b2']);
  assert.deepEqual(filterJobs(rows, { filter: 'ended', search: '' }).map((r) => r.id), ['c3', 'a1']);
  assert.deepEqual(filterJobs(rows, { filter: 'all', search: 'WORD' }).map((r) => r.id), ['a1']);
  assert.deepEqual(filterJobs(rows, { filter: 'all', search: 'failed' }).map((r) => r.id), ['c3']);
  assert.deepEqual(filterJobs(rows, { filter: 'ended', search: 'b2' }), []);
});
