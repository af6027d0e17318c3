import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, loadConfiguration, Registry } from '@rivulet/common';
import { SlotThreads, type ScheduleTimer } from '../../src/control/tasks/slot-threads.js';
import { TaskMetrics } from '../../src/control/task-metrics.js';
import type { TcpNetworkEnvironment } from '../../src/network/tcp-network-environment.js';

/**
 * A released slot whose tasks were still ending gets a grace timer of
 * task.cancellation.timeout (3 min by default). The timer's callback holds the
 * slot's entry — SlotThread, Worker, its stdio ports, a child logger — so a
 * timer left pending after the thread ended kept every such job's objects for
 * 3 minutes: on a cluster running short jobs back to back, hundreds of them
 * (seen in heap snapshots of a TaskManager after 500 jobs). Runs a real slot
 * thread and watches the timers SlotThreads schedules.
 */
/** SlotThreads as the TaskManager builds them (a real slot thread per slot), with `timers` recording its grace timers. */
function slotThreads(timers: { delayMs: number; cancelled: boolean }[]): SlotThreads {
  const schedule: ScheduleTimer = (delayMs) => {
    const timer = { delayMs, cancelled: false };
    timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  };
  return new SlotThreads({
    resourceId: 'tm-test',
    config: loadConfiguration(),
    network: { serveElsewhere: () => undefined, retireElsewhere: () => undefined } as unknown as TcpNetworkEnvironment,
    networkSettings: {
      bufferSizeBytes: 32 * 1024, bufferTimeoutMs: 100, maxRecordsPerBuffer: 1000, maxQueuedBuffers: 4, maxFrameBytes: 16 * 1024 * 1024,
      gateCredit: 2, debloat: undefined, initialCredit: 2, partitionRequestTimeoutMs: 10_000, connectTimeoutMs: 5000,
      bindHost: '127.0.0.1', taskManagerData: { host: '127.0.0.1', port: 1 },
    },
    heapLimitMb: 64,
    responder: {} as never,
    operatorEvents: {} as never,
    descriptorOf: () => undefined,
    localState: undefined,
    metrics: new TaskMetrics(new Registry()),
    log: createLogger({ component: 'test', level: 'silent' }),
    schedule,
  });
}

test('a released slot\'s grace timer is cancelled when its thread ends, so it holds nothing of the ended job', { timeout: 30_000 }, async () => {
  const timers: { delayMs: number; cancelled: boolean }[] = [];
  const threads = slotThreads(timers);
  try {
    threads.forSlot(0, 'allocation-1', 'job-1');
    assert.equal(threads.hasJob('job-1'), true);
    // The JobManager releases the slot while the job's task is still ending: the grace timer starts.
    threads.release('allocation-1', 180_000);
    assert.deepEqual(timers, [{ delayMs: 180_000, cancelled: false }]);
    // The task ends: the released slot's thread ends with it.
    threads.taskEnded('allocation-1');
    await threads.whenJobGone('job-1');
    assert.equal(threads.hasJob('job-1'), false);
    assert.deepEqual(timers, [{ delayMs: 180_000, cancelled: true }], 'the thread ended: its grace timer must not stay pending');
  } finally {
    await threads.stopAll(1000);
  }
});

test('a slot deployed into again after its release keeps its thread: the grace timer of the release is cancelled', { timeout: 30_000 }, async () => {
  const timers: { delayMs: number; cancelled: boolean }[] = [];
  const threads = slotThreads(timers);
  try {
    threads.forSlot(0, 'allocation-1', 'job-1');
    threads.release('allocation-1', 180_000);
    threads.forSlot(0, 'allocation-1', 'job-1');
    assert.deepEqual(timers, [{ delayMs: 180_000, cancelled: true }]);
    assert.equal(threads.hasJob('job-1'), true);
  } finally {
    await threads.stopAll(1000);
  }
});
