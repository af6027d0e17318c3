import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobMaster } from '../../src/jobmaster/job-master.js';
import type { TaskManagerRegistration } from '../../src/resourcemanager/task-manager-registration.js';
import { jobTaskMetricsJson } from '../../src/rest/job-task-metrics.js';
import { jobManagersJson } from '../../src/rest/jobmanagers.js';
import { SavepointTriggers } from '../../src/rest/savepoint-triggers.js';
import { STATUS_CACHE_MS, TaskManagerStatusClient } from '../../src/rest/taskmanager-status-client.js';
import type { TaskSampleJson, TaskManagerStatusJson } from '../../src/rest/taskmanager-status.js';

const vertex = (id: string, parallelism: number) => ({ id, name: id.toUpperCase(), parallelism, operatorIds: [id], keyed: false, isSource: id === 'src' });
const src = vertex('src', 2);
const map = vertex('map', 2);
const execution = (v: typeof src, subtaskIndex: number, attemptId: string, resourceId: string | undefined, state = 'RUNNING') => ({
  vertex: v, subtaskIndex, attemptNumber: 1, attemptId, state,
  slot: resourceId ? { resourceId, registrationId: `reg-${resourceId}` } : undefined,
  stateTimestamps: { RUNNING: 1_000 },
});
/** Just what jobTaskMetricsJson reads of a JobMaster. */
const master = {
  jobId: 'job-1',
  graph: {
    vertices: { vertices: [src, map], edges: [] },
    executions: [
      execution(src, 0, 'a-src-0', 'tm-1'), execution(src, 1, 'a-src-1', 'tm-2'),
      execution(map, 0, 'a-map-0', 'tm-1'), execution(map, 1, 'a-map-1', undefined, 'SCHEDULED'),
    ],
  },
} as unknown as JobMaster;

const sample = (attemptId: string, over: Partial<TaskSampleJson>): TaskSampleJson => ({
  'attempt-id': attemptId, 'records-in': 0, 'records-out': 0, 'records-in-per-second': 0, 'records-out-per-second': 0,
  'bytes-in': 0, 'bytes-out': 0, 'bytes-in-per-second': 0, 'bytes-out-per-second': 0,
  'busy-time-ms-per-second': 0, 'idle-time-ms-per-second': 0, 'backpressured-time-ms-per-second': 0,
  'input-watermark': null, 'output-watermark': null, 'sampled-at': 9_000, ...over,
});
const status = (resourceId: string, tasks: TaskSampleJson[]): TaskManagerStatusJson => ({
  'resource-id': resourceId, timestamp: 9_500, tasks, 'heartbeat-send-delay-ms': null, network: { connections: 0, 'bytes-in': 0, 'bytes-out': 0 }, history: [],
});

test('task metrics: each current attempt gets its own figures; vertices sum rates, take the slowest subtask and the lowest watermark', () => {
  const statuses = new Map([
    ['tm-1', status('tm-1', [
      sample('a-src-0', { 'records-out': 100, 'records-out-per-second': 10, 'busy-time-ms-per-second': 200, 'output-watermark': 5_000 }),
      sample('a-map-0', { 'records-in': 100, 'records-in-per-second': 10, 'busy-time-ms-per-second': 900 }),
      sample('an-old-attempt', { 'records-out': 1e9 }),
    ])],
    ['tm-2', status('tm-2', [sample('a-src-1', { 'records-out': 50, 'records-out-per-second': 5, 'backpressured-time-ms-per-second': 700, 'output-watermark': 4_000, 'sampled-at': 2_000 })])],
  ]);
  const json = jobTaskMetricsJson(master, (id) => statuses.get(id), (id) => (id === 'tm-1' ? '10.0.0.1' : undefined), 10_000) as {
    vertices: { id: string; metrics: Record<string, number | null> | null; subtasks: { subtask: number; host: string | null; metrics: Record<string, number> | null }[] }[];
  };
  const [srcJson, mapJson] = json.vertices;
  assert.equal(srcJson!.metrics!['records-out'], 150);
  assert.equal(srcJson!.metrics!['records-out-per-second'], 15);
  assert.equal(srcJson!.metrics!['busy-time-ms-per-second'], 200);
  assert.equal(srcJson!.metrics!['backpressured-time-ms-per-second'], 700);
  assert.equal(srcJson!.metrics!['output-watermark'], 4_000);
  assert.equal(srcJson!.metrics!['reporting-subtasks'], 2);
  assert.equal(srcJson!.subtasks[0]!.host, '10.0.0.1');
  assert.equal(srcJson!.subtasks[1]!.metrics!['age-ms'], 8_000, 'the age tells the dashboard the figures are stale');
  assert.equal(mapJson!.metrics!['reporting-subtasks'], 1);
  assert.equal(mapJson!.subtasks[1]!.metrics, null, 'a subtask not placed yet has no figures');
  assert.ok(JSON.stringify(json).indexOf('1000000000') === -1, 'figures of attempts that are not current are left out');
  const graphOnly = jobTaskMetricsJson(master, (id) => statuses.get(id), () => undefined, 10_000, false) as { vertices: Record<string, unknown>[] };
  assert.deepEqual(graphOnly.vertices.map((v) => 'subtasks' in v), [false, false], '?subtasks=false: the vertices only');
  assert.deepEqual(graphOnly.vertices[0]!['metrics'], srcJson!.metrics);
});

test('task metrics: no TaskManager answered, no figures anywhere (not zeros)', () => {
  const json = jobTaskMetricsJson(master, () => undefined, () => undefined, 10_000) as { vertices: { metrics: unknown }[] };
  assert.deepEqual(json.vertices.map((v) => v.metrics), [null, null]);
});

test('savepoint triggers: in progress, then completed with the location or the failure; ids are per job', async () => {
  const triggers = new SavepointTriggers();
  let finish!: (location: string) => void;
  const ok = triggers.start('job-1', new Promise<string>((resolve) => (finish = resolve)));
  const failed = triggers.start('job-1', Promise.reject(new Error('the job is not RUNNING')));
  assert.deepEqual(triggers.statusJson('job-1', ok), { status: { id: 'IN_PROGRESS' } });
  assert.equal(triggers.statusJson('job-2', ok), undefined);
  finish('file:///sp/savepoint-1');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(triggers.statusJson('job-1', ok), { status: { id: 'COMPLETED' }, operation: { location: 'file:///sp/savepoint-1' } });
  const failure = triggers.statusJson('job-1', failed) as { operation: { 'failure-cause': { 'stack-trace': string } } };
  assert.match(failure.operation['failure-cause']['stack-trace'], /not RUNNING/);
});

test('the status client asks a TaskManager once per cache period, and a failure is undefined, not an error', async () => {
  let clock = 0;
  const asked: string[] = [];
  const client = new TaskManagerStatusClient(() => clock, async (url) => {
    asked.push(url);
    if (url.includes(':9')) throw new Error('connection refused');
    return status('tm-1', []);
  });
  const registration = (port: number) => ({ registrationId: `r${port}`, httpEndpoint: { host: '127.0.0.1', port } }) as unknown as TaskManagerRegistration;
  const [a, b] = await Promise.all([client.get(registration(8)), client.get(registration(8))]);
  assert.equal(a, b);
  assert.deepEqual(asked, ['http://127.0.0.1:8/status?history=0']);
  clock += STATUS_CACHE_MS + 1;
  await client.get(registration(8), true);
  assert.equal(asked.at(-1), 'http://127.0.0.1:8/status');
  assert.equal(await client.get(registration(9)), undefined);
});

test('/jobmanagers: without HA the answering JobManager is the only one; with HA the election tells leader and standbys', async () => {
  const self = { rpcAddress: 'jm1:6123', restAddress: 'jm1:8081', startTime: 5 };
  const alone = (await jobManagersJson({ highAvailability: 'none', self, session: () => ({ sessionId: 's', epoch: 1 }) as never, leaderSince: () => 7 }, 10)) as Record<string, unknown>;
  assert.deepEqual(alone['leader'], { 'rpc-address': 'jm1:6123', 'rest-address': 'jm1:8081', leader: true });
  assert.deepEqual((alone['self'] as Record<string, unknown>)['leader-since'], 7);
  const standby = (await jobManagersJson({
    highAvailability: 'etcd', self, session: () => undefined, leaderSince: () => undefined,
    election: async () => [{ rpcAddress: 'jm2:6123', restAddress: 'jm2:8081', leader: true }, { rpcAddress: 'jm1:6123', restAddress: 'jm1:8081', leader: false }],
  }, 10)) as Record<string, unknown>;
  assert.equal((standby['self'] as Record<string, unknown>)['leader'], false);
  assert.deepEqual(standby['leader'], { 'rpc-address': 'jm2:6123', 'rest-address': 'jm2:8081', leader: true });
  assert.equal((standby['jobmanagers'] as unknown[]).length, 2);
});
