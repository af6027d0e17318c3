import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, silentLogger, type pb } from '@rivulet/common';
import { JobManagerMetrics, TaskManagerRegistry } from '../src/index.js';
import { registrationRequest, slotStatus } from './fixtures/registration-request.js';

type Lost = { resourceId: string; registrationId: string; reason: string; detail: string };

/** A clock the test moves by hand. */
class FakeClock {
  ms = 1_000_000;
  readonly now = (): number => this.ms;
  advance(by: number): void {
    this.ms += by;
  }
}

const request = registrationRequest;

let clock: FakeClock;
let metricsRegistry: Registry;
let registry: TaskManagerRegistry;
let lost: Lost[];
let registered: string[];

beforeEach(() => {
  clock = new FakeClock();
  metricsRegistry = new Registry();
  registry = new TaskManagerRegistry(silentLogger(), new JobManagerMetrics(metricsRegistry), clock.now);
  lost = [];
  registered = [];
  registry.on('lost', (registration, reason, detail) => {
    lost.push({ resourceId: registration.resourceId, registrationId: registration.registrationId, reason, detail });
  });
  registry.on('registered', (registration) => registered.push(registration.resourceId));
});

/** The value of an unlabelled gauge, read from the Prometheus text output. */
async function gauge(name: string): Promise<number> {
  const text = await metricsRegistry.getSingleMetricAsString(name);
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no sample for ${name} in:\n${text}`);
  return Number(line.slice(name.length + 1));
}

async function lostCounter(reason: string): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('rivulet_jobmanager_taskmanagers_lost_total');
  assert.ok(metric, 'the lost counter is registered');
  const values = (await metric.get()).values;
  return values.find((v) => v.labels['reason'] === reason)?.value ?? 0;
}

describe('TaskManagerRegistry', () => {
  describe('register', () => {
    test('records endpoints, slots and the clock time, and emits registered', () => {
      const registration = registry.register(request('tm-1', 3, [1]));
      assert.equal(registration.resourceId, 'tm-1');
      assert.deepEqual(registration.rpcEndpoint, { host: '10.0.0.1', port: 6122 });
      assert.deepEqual(registration.dataEndpoint, { host: '10.0.0.1', port: 6121 });
      assert.deepEqual(registration.httpEndpoint, { host: '10.0.0.1', port: 9249 });
      assert.equal(registration.numberOfSlots, 3);
      assert.equal(registration.registeredAtMs, clock.ms);
      assert.equal(registration.lastHeartbeatMs, clock.ms);
      assert.equal(registration.slots.length, 3);
      assert.match(registration.registrationId, /^[0-9a-f]{32}$/);
      assert.deepEqual(registered, ['tm-1']);
      assert.equal(registry.get(registration.registrationId), registration);
    });

    test('missing endpoints become an empty host and port 0', () => {
      const registration = registry.register({ ...request('tm-1'), dataEndpoint: null });
      assert.deepEqual(registration.dataEndpoint, { host: '', port: 0 });
    });

    test('each registration gets a fresh id; all() lists them sorted by resource id', () => {
      const b = registry.register(request('tm-b'));
      const a = registry.register(request('tm-a'));
      assert.notEqual(a.registrationId, b.registrationId);
      assert.deepEqual(registry.all().map((r) => r.resourceId), ['tm-a', 'tm-b']);
    });

    test('a re-registration of the same resource id replaces the old registration', () => {
      const first = registry.register(request('tm-1'));
      clock.advance(100);
      const second = registry.register(request('tm-1'));

      assert.notEqual(second.registrationId, first.registrationId);
      assert.equal(registry.all().length, 1);
      assert.equal(registry.get(first.registrationId), undefined);
      assert.equal(registry.get(second.registrationId), second);
      assert.equal(second.registeredAtMs, clock.ms);

      assert.equal(lost.length, 1, "'lost' emitted once for the replaced registration");
      assert.equal(lost[0]?.registrationId, first.registrationId);
      assert.equal(lost[0]?.reason, 'replaced');
      assert.deepEqual(registered, ['tm-1', 'tm-1']);
    });

    test('the replaced id is no longer accepted for heartbeats, the new one is', () => {
      const first = registry.register(request('tm-1'));
      const second = registry.register(request('tm-1'));
      assert.equal(registry.heartbeat(first.registrationId, []), false);
      assert.equal(registry.heartbeat(second.registrationId, []), true);
    });

    test('a late remove of the replaced id does not touch the new registration', () => {
      const first = registry.register(request('tm-1'));
      const second = registry.register(request('tm-1'));
      lost.length = 0;
      assert.equal(registry.remove(first.registrationId, 'connection', 'old stream broke'), false);
      assert.equal(lost.length, 0, 'a stale remove emits nothing');
      assert.equal(registry.get(second.registrationId), second);
      // and the resource id still maps to the new registration: a third registration replaces it
      const third = registry.register(request('tm-1'));
      assert.equal(lost.length, 1);
      assert.equal(lost[0]?.registrationId, second.registrationId);
      assert.equal(registry.all().length, 1);
      assert.equal(registry.all()[0], third);
    });

    test('counts replaced registrations in the lost counter', async () => {
      registry.register(request('tm-1'));
      registry.register(request('tm-1'));
      assert.equal(await lostCounter('replaced'), 1);
    });
  });

  describe('heartbeat', () => {
    test('an unknown registration id returns false', () => {
      registry.register(request('tm-1'));
      assert.equal(registry.heartbeat('no-such-registration', []), false);
    });

    test('a known id returns true and moves lastHeartbeatMs to the clock', () => {
      const registration = registry.register(request('tm-1'));
      clock.advance(1234);
      assert.equal(registry.heartbeat(registration.registrationId, []), true);
      assert.equal(registry.get(registration.registrationId)?.lastHeartbeatMs, clock.ms);
    });

    test('a removed registration id returns false', () => {
      const registration = registry.register(request('tm-1'));
      registry.remove(registration.registrationId, 'disconnect', 'stopping');
      assert.equal(registry.heartbeat(registration.registrationId, []), false);
    });

    test('a slot report replaces the slots; an empty report keeps them', () => {
      const registration = registry.register(request('tm-1', 2));
      registry.heartbeat(registration.registrationId, [slotStatus(0, true), slotStatus(1)]);
      assert.equal(registry.get(registration.registrationId)?.slots[0]?.allocated, true);
      registry.heartbeat(registration.registrationId, []);
      assert.equal(registry.get(registration.registrationId)?.slots.length, 2);
      assert.equal(registry.get(registration.registrationId)?.slots[0]?.allocated, true);
    });
  });

  describe('expireSilent', () => {
    test('removes exactly the registrations silent for longer than the timeout', () => {
      const old = registry.register(request('tm-old'));
      clock.advance(3000);
      const recent = registry.register(request('tm-recent'));
      const beat = registry.register(request('tm-beat'));
      clock.advance(2000);
      registry.heartbeat(old.registrationId, []); // old is fresh again
      clock.advance(2500); // recent and beat: silent 4500 ms; old: 2500 ms
      registry.heartbeat(beat.registrationId, []);
      clock.advance(1000); // recent: 5500 ms; old: 3500 ms; beat: 1000 ms

      const expired = registry.expireSilent(5000);

      assert.deepEqual(expired.map((r) => r.resourceId), ['tm-recent']);
      assert.equal(registry.get(recent.registrationId), undefined);
      assert.ok(registry.get(old.registrationId));
      assert.ok(registry.get(beat.registrationId));
      assert.deepEqual(lost.map((l) => [l.resourceId, l.reason]), [['tm-recent', 'heartbeat-timeout']]);
      assert.match(lost[0]?.detail ?? '', /5500 ms/);
    });

    test('a registration silent for exactly the timeout is kept', () => {
      const registration = registry.register(request('tm-1'));
      clock.advance(5000);
      assert.deepEqual(registry.expireSilent(5000), []);
      assert.ok(registry.get(registration.registrationId));
      clock.advance(1);
      assert.equal(registry.expireSilent(5000).length, 1);
      assert.equal(registry.get(registration.registrationId), undefined);
    });

    test('expires several at once, each lost exactly once, and a second pass finds nothing', async () => {
      registry.register(request('tm-1'));
      registry.register(request('tm-2'));
      registry.register(request('tm-3'));
      clock.advance(10_000);
      assert.equal(registry.expireSilent(5000).length, 3);
      assert.deepEqual(registry.expireSilent(5000), []);
      assert.equal(lost.length, 3);
      assert.ok(lost.every((l) => l.reason === 'heartbeat-timeout'));
      assert.deepEqual(registry.all(), []);
      assert.equal(await lostCounter('heartbeat-timeout'), 3);
    });
  });

  describe('remove', () => {
    test('is idempotent: the second call returns false and lost is emitted once', () => {
      const registration = registry.register(request('tm-1'));
      assert.equal(registry.remove(registration.registrationId, 'disconnect', 'TaskManager is stopping'), true);
      assert.equal(registry.remove(registration.registrationId, 'disconnect', 'TaskManager is stopping'), false);
      assert.equal(registry.remove(registration.registrationId, 'connection', 'stream broke'), false);
      assert.deepEqual(lost, [
        {
          resourceId: 'tm-1',
          registrationId: registration.registrationId,
          reason: 'disconnect',
          detail: 'TaskManager is stopping',
        },
      ]);
      assert.equal(registry.get(registration.registrationId), undefined);
    });

    test('an expired registration is not lost again by a later remove', () => {
      const registration = registry.register(request('tm-1'));
      clock.advance(6000);
      registry.expireSilent(5000);
      assert.equal(registry.remove(registration.registrationId, 'connection', 'stream broke'), false);
      assert.equal(lost.length, 1);
    });

    test('after removal the same resource id registers anew without a replaced event', () => {
      const registration = registry.register(request('tm-1'));
      registry.remove(registration.registrationId, 'disconnect', 'stopping');
      registry.register(request('tm-1'));
      assert.deepEqual(lost.map((l) => l.reason), ['disconnect']);
      assert.equal(registry.all().length, 1);
    });

    test('an unknown id returns false', () => {
      assert.equal(registry.remove('never-registered', 'disconnect', 'x'), false);
      assert.deepEqual(lost, []);
    });

    test('clear removes every registration with the given reason', () => {
      registry.register(request('tm-1'));
      registry.register(request('tm-2'));
      registry.clear('connection', 'leadership revoked');
      assert.deepEqual(registry.all(), []);
      assert.deepEqual(lost.map((l) => [l.reason, l.detail]), [
        ['connection', 'leadership revoked'],
        ['connection', 'leadership revoked'],
      ]);
    });
  });

  describe('slots', () => {
    test('slotsTotal and slotsAvailable are 0 when empty', () => {
      assert.equal(registry.slotsTotal(), 0);
      assert.equal(registry.slotsAvailable(), 0);
    });

    test('follow registrations and the JobManager\'s allocations, not the TaskManagers\' slot reports', () => {
      const a = registry.register(request('tm-a', 2));
      registry.register(request('tm-b', 3, [0]));
      assert.equal(registry.slotsTotal(), 5);
      assert.equal(registry.slotsAvailable(), 5, 'a fresh registration starts with every slot free');

      registry.heartbeat(a.registrationId, [slotStatus(0, true), slotStatus(1, true)]);
      assert.equal(registry.slotsAvailable(), 5, 'slot reports are informational');

      a.allocations[0] = { allocationId: 'x', jobId: 'j' };
      a.allocations[1] = { allocationId: 'y', jobId: 'j' };
      registry.allocationsChanged();
      assert.equal(registry.slotsAvailable(), 3);

      registry.remove(a.registrationId, 'disconnect', 'stopping');
      assert.equal(registry.slotsTotal(), 3);
      assert.equal(registry.slotsAvailable(), 3);
    });
  });

  describe('metrics', () => {
    test('gauges start at 0', async () => {
      assert.equal(await gauge('rivulet_jobmanager_numRegisteredTaskManagers'), 0);
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsTotal'), 0);
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsAvailable'), 0);
    });

    test('gauges follow registrations, slot reports, replacement, expiry and removal', async () => {
      const a = registry.register(request('tm-a', 2));
      const b = registry.register(request('tm-b', 4, [0, 1]));
      assert.equal(await gauge('rivulet_jobmanager_numRegisteredTaskManagers'), 2);
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsTotal'), 6);
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsAvailable'), 6);

      a.allocations[0] = { allocationId: 'x', jobId: 'j' };
      registry.allocationsChanged();
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsAvailable'), 5);

      registry.register(request('tm-b', 1)); // replaces b
      assert.equal(registry.get(b.registrationId), undefined);
      assert.equal(await gauge('rivulet_jobmanager_numRegisteredTaskManagers'), 2);
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsTotal'), 3);
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsAvailable'), 2);

      clock.advance(3000);
      registry.heartbeat(a.registrationId, []);
      clock.advance(3000);
      registry.expireSilent(5000); // the new tm-b is silent for 6000 ms
      assert.equal(await gauge('rivulet_jobmanager_numRegisteredTaskManagers'), 1);
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsTotal'), 2);
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsAvailable'), 1);

      registry.remove(a.registrationId, 'disconnect', 'stopping');
      assert.equal(await gauge('rivulet_jobmanager_numRegisteredTaskManagers'), 0);
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsTotal'), 0);
      assert.equal(await gauge('rivulet_jobmanager_taskSlotsAvailable'), 0);
    });

    test('the lost counter counts each loss once, by reason', async () => {
      const a = registry.register(request('tm-a'));
      registry.remove(a.registrationId, 'disconnect', 'stopping');
      registry.remove(a.registrationId, 'disconnect', 'stopping');
      registry.register(request('tm-b'));
      clock.advance(10_000);
      registry.expireSilent(5000);
      assert.equal(await lostCounter('disconnect'), 1);
      assert.equal(await lostCounter('heartbeat-timeout'), 1);
      assert.equal(await lostCounter('replaced'), 0);
    });
  });

  describe('leave (graceful stop)', () => {
    test('by registration id: removed at once with reason graceful-shutdown; leaving again is acknowledged', async () => {
      const registration = registry.register(request('tm-1'));
      assert.equal(registry.leave(registration.registrationId, 'tm-1', 'SIGTERM'), true);
      assert.deepEqual(lost, [{ resourceId: 'tm-1', registrationId: registration.registrationId, reason: 'graceful-shutdown', detail: 'SIGTERM' }]);
      assert.equal(registry.leave(registration.registrationId, 'tm-1', 'SIGTERM'), false);
      assert.equal(await lostCounter('graceful-shutdown'), 1);
    });

    test('by resource id alone (it stopped before reading its registration answer)', () => {
      registry.register(request('tm-other'));
      const registration = registry.register(request('tm-1'));
      assert.equal(registry.leave('', 'tm-1', ''), true);
      assert.deepEqual(lost.map((l) => [l.resourceId, l.registrationId, l.reason, l.detail]), [['tm-1', registration.registrationId, 'graceful-shutdown', 'TaskManager tm-1 is stopping']]);
      assert.deepEqual(registry.all().map((r) => r.resourceId), ['tm-other']);
      assert.equal(registry.leave('', 'tm-never-registered', ''), false);
    });

    test('bad input names what is wrong and removes nothing', () => {
      const registration = registry.register(request('tm-1'));
      assert.throws(() => registry.leave('', '', 'x'), /registration_id and resource_id are both empty/);
      assert.throws(() => registry.leave(registration.registrationId, 'tm-2', 'x'), new RegExp(`registration "${registration.registrationId}" belongs to TaskManager "tm-1", not "tm-2"`));
      assert.equal(lost.length, 0);
    });
  });
});
