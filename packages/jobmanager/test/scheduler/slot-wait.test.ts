import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry, silentLogger } from '@rivulet/common';
import { registrationRequest } from '../fixtures/registration-request.js';
import { JobManagerMetrics } from '../../src/metrics.js';
import { TaskManagerRegistry } from '../../src/resourcemanager/task-manager-registry.js';
import { allocateSlots, releaseSlots } from '../../src/scheduler/slot-allocator.js';
import { SlotWait } from '../../src/jobmaster/slot-wait.js';

const request = registrationRequest;

function newRegistry(): TaskManagerRegistry {
  return new TaskManagerRegistry(silentLogger(), new JobManagerMetrics(new Registry()));
}

describe('a job waiting for slots', () => {
  test('is scheduled when another job ends and frees its slots, not only when a TaskManager registers', async () => {
    const registry = newRegistry();
    registry.register(request('tm-1', 2));
    registry.register(request('tm-2', 2));
    assert.ok(allocateSlots(registry, 'first', 3, false), 'the first job takes 3 of the 4 slots');
    const second: { slots?: ReturnType<typeof allocateSlots> } = {};
    let timedOut = false;
    const wait = new SlotWait(registry, 60_000, () => {
      second.slots ??= allocateSlots(registry, 'second', 3, false);
    }, () => (timedOut = true));
    assert.equal(allocateSlots(registry, 'second', 3, false), undefined, 'the second job needs 3 and finds 1');
    releaseSlots(registry, 'first');
    assert.equal(second.slots, undefined, 'told on the next turn, not inside the release');
    await nextTurn();
    wait.stop();
    assert.equal((second.slots as unknown[] | undefined)?.length, 3, 'the second job got its 3 slots once the first ended');
    assert.equal(registry.slotsAvailable(), 1);
    assert.equal(timedOut, false);
  });

  test('freed slots are told once per turn, and only when some were freed', async () => {
    const registry = newRegistry();
    registry.register(request('tm-1', 4));
    let told = 0;
    registry.on('slots-freed', () => (told += 1));
    allocateSlots(registry, 'a', 2, false);
    allocateSlots(registry, 'b', 2, false);
    await nextTurn();
    assert.equal(told, 0, 'allocations free nothing');
    releaseSlots(registry, 'a');
    releaseSlots(registry, 'b');
    await nextTurn();
    assert.equal(told, 1, 'two releases in one turn: one event');
    registry.remove(registry.all()[0]!.registrationId, 'disconnect', 'test');
    registry.register(request('tm-2', 1));
    allocateSlots(registry, 'c', 1, false);
    releaseSlots(registry, 'c');
    await nextTurn();
    assert.equal(told, 2, 'a release after a TaskManager was lost is still told');
  });

  test('a stopped wait hears nothing more', async () => {
    const registry = newRegistry();
    registry.register(request('tm-1', 1));
    allocateSlots(registry, 'a', 1, false);
    let calls = 0;
    const wait = new SlotWait(registry, 60_000, () => (calls += 1), () => undefined);
    wait.stop();
    releaseSlots(registry, 'a');
    registry.register(request('tm-2', 1));
    await nextTurn();
    assert.equal(calls, 0);
  });
});
