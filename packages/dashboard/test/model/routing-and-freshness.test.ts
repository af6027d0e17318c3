import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshness, nextPollDelay } from '../../src/model/freshness.js';
import { dashboardUrlOn, failoverCandidates, leaderDecision } from '../../src/model/leader-following.js';
import { firstRequests, jobPaths, JOBS_OVERVIEW_PATH, OVERVIEW_PATH, TASKMANAGERS_PATH, taskManagerPath } from '../../src/model/page-requests.js';
import { parseRoute, routeHash } from '../../src/model/route.js';
import type { JobManagersResponse } from '../../src/model/rest-types.js';

test('hash routes name every page and come back unchanged', () => {
  assert.deepEqual(parseRoute(''), { page: 'overview' });
  assert.deepEqual(parseRoute('#/jobs'), { page: 'jobs' });
  assert.deepEqual(parseRoute('#/jobs/abc'), { page: 'job', jobId: 'abc', tab: 'overview' });
  assert.deepEqual(parseRoute('#/jobs/abc/checkpoints'), { page: 'job', jobId: 'abc', tab: 'checkpoints' });
  assert.deepEqual(parseRoute('#/taskmanagers/127.0.0.1%3A6122-ab'), { page: 'taskmanager', taskManagerId: '127.0.0.1:6122-ab' });
  assert.equal(parseRoute('#/jobs/abc/nonsense').page, 'not-found');
  for (const hash of ['#/overview', '#/jobs', '#/jobs/abc', '#/jobs/abc/exceptions', '#/taskmanagers', '#/taskmanagers/127.0.0.1%3A6122-ab']) {
    assert.equal(routeHash(parseRoute(hash)), hash);
  }
});

test('live, stale, unreachable: never current-looking data that is not', () => {
  assert.equal(freshness({ fetchedAt: undefined, failures: 0 }, 0, 1000), 'loading');
  assert.equal(freshness({ fetchedAt: 10_000, failures: 0 }, 12_000, 1000), 'live');
  assert.equal(freshness({ fetchedAt: 10_000, failures: 1 }, 14_000, 1000), 'stale');
  assert.equal(freshness({ fetchedAt: 10_000, failures: 2 }, 10_500, 1000), 'unreachable');
  assert.equal(freshness({ fetchedAt: undefined, failures: 1 }, 0, 1000), 'unreachable');
});

test('polls back off while they fail, up to a bound', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((f) => nextPollDelay(1000, f)), [1000, 2000, 4000, 8000, 8000, 8000]);
});

const answer = (selfLeader: boolean, leader: string | null): JobManagersResponse => ({
  'high-availability': 'etcd',
  self: { 'rpc-address': 'jm1:6123', 'rest-address': 'jm1:8081', leader: selfLeader, 'start-time': 0, 'leader-since': null },
  leader: leader ? { 'rpc-address': 'x:6123', 'rest-address': leader, leader: true } : null,
  jobmanagers: [],
  timestamp: 0,
});

test('a dashboard on a standby moves to the leader; with no leader it waits', () => {
  assert.deepEqual(leaderDecision(answer(true, 'jm1:8081'), 'jm1:8081'), { action: 'stay' });
  assert.deepEqual(leaderDecision(answer(false, 'jm2:8081'), 'jm1:8081'), { action: 'move', restAddress: 'jm2:8081' });
  assert.deepEqual(leaderDecision(answer(false, null), 'jm1:8081'), { action: 'wait' });
  assert.equal(dashboardUrlOn('jm2:8081', 'http:', '#/jobs/abc'), 'http://jm2:8081/#/jobs/abc');
});

test('when the JobManager is gone, every other one heard of is tried, the leader first', () => {
  const known = [
    { 'rpc-address': 'a', 'rest-address': 'jm1:8081', leader: false },
    { 'rpc-address': 'b', 'rest-address': 'jm2:8081', leader: true },
    { 'rpc-address': 'c', 'rest-address': 'jm3:8081', leader: false },
    { 'rpc-address': 'd', 'rest-address': null, leader: false },
  ];
  assert.deepEqual(failoverCandidates(known, 'jm2:8081'), ['jm1:8081', 'jm3:8081']);
  assert.deepEqual(failoverCandidates(known, 'jm1:8081'), ['jm2:8081', 'jm3:8081']);
});

test('a page\'s first requests are the paths its polls ask for', () => {
  const job = jobPaths('j 1');
  assert.equal(job.details, '/jobs/j%201');
  assert.deepEqual(firstRequests(parseRoute('#/jobs/j%201')), [job.details, job.plan, job.layout, job.graphMetrics]);
  assert.deepEqual(firstRequests(parseRoute('#/jobs/j%201/checkpoints')), [job.details, job.checkpoints]);
  assert.deepEqual(firstRequests(parseRoute('#/jobs/j%201/subtasks')), [job.details, job.subtaskMetrics]);
  assert.deepEqual(firstRequests(parseRoute('')), [OVERVIEW_PATH, TASKMANAGERS_PATH, JOBS_OVERVIEW_PATH]);
  assert.deepEqual(firstRequests(parseRoute('#/taskmanagers/tm%2F1')), [taskManagerPath('tm/1')]);
  assert.deepEqual(firstRequests(parseRoute('#/nowhere')), []);
});
