import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, silentLogger, type pb } from '@rivulet/common';
import { JobManagerMetrics, TaskManagerRegistry } from '../src/index.js';
import { heartbeatGapBuckets } from '../src/metrics.js';

const GAP = 'rivulet_jobmanager_taskmanager_heartbeat_gap_seconds';
const GAP_MAX = 'rivulet_jobmanager_taskmanager_heartbeat_gap_max_seconds';

class FakeClock {
  ms = 1_000_000;
  readonly now = (): number => this.ms;
  advance(by: number): void {
    this.ms += by;
  }
}

function request(resourceId: string): pb.RegisterTaskManagerRequest__Output {
  return {
    resourceId,
    rpcEndpoint: { host: '10.0.0.1', port: 6122 },
    dataEndpoint: { host: '10.0.0.1', port: 6121 },
    httpEndpoint: { host: '10.0.0.1', port: 9249 },
    numberOfSlots: 1,
    slots: [],
    version: '0.1.0',
    tasks: [],
    checkpointDir: null,
  };
}

interface Sample {
  readonly metricName?: string;
  readonly value: number;
  readonly labels: Partial<Record<string, string | number>>;
}

let clock: FakeClock;
let metricsRegistry: Registry;
let registry: TaskManagerRegistry;

beforeEach(() => {
  clock = new FakeClock();
  metricsRegistry = new Registry();
  registry = new TaskManagerRegistry(silentLogger(), new JobManagerMetrics(metricsRegistry, { heartbeatIntervalMs: 1000 }), clock.now);
});

/** The samples of `name` with label tm_id=`tmId`, by sample name (`_count`, `_sum`, `_bucket` with `le`). */
async function samples(name: string, tmId: string): Promise<Sample[]> {
  const metric = metricsRegistry.getSingleMetric(name);
  assert.ok(metric, `${name} is registered`);
  return ((await metric.get()).values as Sample[]).filter((v) => v.labels['tm_id'] === tmId);
}

async function histogram(tmId: string): Promise<{ count: number; sum: number; buckets: Map<number, number> } | undefined> {
  const values = await samples(GAP, tmId);
  if (values.length === 0) return undefined;
  const count = values.find((v) => v.metricName === `${GAP}_count`)!.value;
  const sum = values.find((v) => v.metricName === `${GAP}_sum`)!.value;
  const buckets = new Map(values.filter((v) => v.metricName === `${GAP}_bucket`).map((v) => [Number(v.labels['le']), v.value]));
  return { count, sum, buckets };
}

async function largestGap(tmId: string): Promise<number | undefined> {
  return (await samples(GAP_MAX, tmId))[0]?.value;
}

describe('heartbeat gap per TaskManager', () => {
  test('counts the gaps between consecutive heartbeats, not the wait for the first one', async () => {
    const tm = registry.register(request('tm-1'));
    clock.advance(30);
    registry.heartbeat(tm.registrationId, []);
    assert.equal(await histogram('tm-1'), undefined, 'one heartbeat is no gap yet');
    for (const gap of [1000, 1003, 998, 1500]) {
      clock.advance(gap);
      registry.heartbeat(tm.registrationId, []);
    }
    const h = (await histogram('tm-1'))!;
    assert.equal(h.count, 4);
    assert.ok(Math.abs(h.sum - 4.501) < 1e-9, `sum ${h.sum}`);
    assert.equal(h.buckets.get(0.99), 0);
    assert.equal(h.buckets.get(1), 2, '998 ms and 1000 ms');
    assert.equal(h.buckets.get(1.01), 3, '1003 ms');
    assert.equal(h.buckets.get(1.5), 4, '1500 ms');
    assert.equal(await largestGap('tm-1'), 1.5);
  });

  test('a long silence shows in the largest gap, per TaskManager', async () => {
    const a = registry.register(request('tm-a'));
    const b = registry.register(request('tm-b'));
    registry.heartbeat(a.registrationId, []);
    registry.heartbeat(b.registrationId, []);
    clock.advance(1000);
    registry.heartbeat(b.registrationId, []);
    clock.advance(2700);
    registry.heartbeat(a.registrationId, []);
    registry.heartbeat(b.registrationId, []);
    assert.equal(await largestGap('tm-a'), 3.7);
    assert.equal(await largestGap('tm-b'), 2.7);
    assert.equal((await histogram('tm-a'))!.buckets.get(3.5), 0);
    assert.equal((await histogram('tm-a'))!.buckets.get(6), 1);
  });

  test('the series go when the TaskManager leaves, and start afresh when it registers again', async () => {
    const first = registry.register(request('tm-1'));
    registry.heartbeat(first.registrationId, []);
    clock.advance(2000);
    registry.heartbeat(first.registrationId, []);
    assert.equal(await largestGap('tm-1'), 2);
    const second = registry.register(request('tm-1')); // replaces the first
    assert.equal(await histogram('tm-1'), undefined);
    assert.equal(await largestGap('tm-1'), undefined);
    registry.heartbeat(second.registrationId, []);
    clock.advance(1000);
    registry.heartbeat(second.registrationId, []);
    assert.equal((await histogram('tm-1'))!.count, 1);
    assert.equal(await largestGap('tm-1'), 1);
    assert.equal(registry.heartbeat(first.registrationId, []), false, 'the replaced registration is gone');
    assert.equal((await histogram('tm-1'))!.count, 1, 'a stale heartbeat counts nothing');

    for (const reason of ['heartbeat-timeout', 'graceful-shutdown', 'connection', 'disconnect'] as const) {
      const registration = registry.register(request(`tm-${reason}`));
      registry.heartbeat(registration.registrationId, []);
      clock.advance(1000);
      registry.heartbeat(registration.registrationId, []);
      assert.ok(await histogram(`tm-${reason}`));
      registry.remove(registration.registrationId, reason, 'test');
      assert.equal(await histogram(`tm-${reason}`), undefined, `removed after ${reason}`);
      assert.equal(await largestGap(`tm-${reason}`), undefined, `max removed after ${reason}`);
    }
    const text = await metricsRegistry.metrics();
    assert.deepEqual(text.split('\n').filter((l) => l.startsWith('rivulet_jobmanager_taskmanager_heartbeat_gap') && !l.includes('tm_id="tm-1"')), []);
  });
});

describe('heartbeatGapBuckets', () => {
  test('resolve 10 ms to 10 s on both sides of heartbeat.interval', () => {
    assert.deepEqual(heartbeatGapBuckets(1000), [0.01, 0.1, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99, 1, 1.01, 1.025, 1.05, 1.1, 1.25, 1.5, 2, 3.5, 6, 11]);
    for (const interval of [50, 100, 1000, 3000, 10_000]) {
      const buckets = heartbeatGapBuckets(interval);
      const s = interval / 1000;
      assert.ok(buckets.includes(s), `${interval}: the interval itself`);
      assert.ok(buckets.includes(Math.round((s + 0.01) * 1000) / 1000), `${interval}: 10 ms late`);
      assert.ok(buckets.includes(Math.round((s + 10) * 1000) / 1000), `${interval}: 10 s late`);
      assert.ok(buckets.every((b, i) => b > 0 && (i === 0 || b > buckets[i - 1]!)), `${interval}: positive, increasing`);
    }
  });
});
