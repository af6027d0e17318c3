import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { Registry, type pb } from '@rivulet/common';
import { EventLoopDelayWindow, TaskManagerMetrics } from '../../src/control/metrics.js';
import { runHeartbeatStream } from '../../src/control/registration/heartbeat-stream.js';

/** A heartbeat stream that records what is written; `answer()` plays a leader heartbeat. */
class FakeStream extends EventEmitter {
  readonly written: pb.TaskManagerHeartbeat[] = [];
  write(message: pb.TaskManagerHeartbeat): boolean {
    this.written.push(message);
    return true;
  }
  cancel(): void {
    this.emit('end');
  }
  answer(): void {
    this.emit('data', { leader: { sessionId: 's', epoch: 1 } });
  }
}

function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('heartbeat send delay', () => {
  test('each heartbeat reports how late it left; a blocked loop shows as one late heartbeat', async () => {
    const stream = new FakeStream();
    const delays: number[] = [];
    const abort = new AbortController();
    const ended = runHeartbeatStream({
      stream: stream as unknown as grpc.ClientDuplexStream<pb.TaskManagerHeartbeat, pb.JobManagerHeartbeat__Output>,
      registrationId: 'r1',
      intervalMs: 40,
      timeoutMs: 10_000,
      slots: () => [],
      onLeaderHeartbeat: () => undefined,
      onSendDelay: (ms) => delays.push(ms),
      signals: [abort.signal],
    });
    const answering = setInterval(() => stream.answer(), 20);
    await sleep(200);
    block(300);
    await sleep(200);
    clearInterval(answering);
    abort.abort();
    assert.equal((await ended).reason, 'aborted');
    assert.ok(stream.written.length >= 6, `${stream.written.length} heartbeats written`);
    assert.equal(delays.length, stream.written.length - 1, 'one delay per interval tick (the first heartbeat leaves at once)');
    const late = delays.filter((d) => d >= 200);
    assert.equal(late.length, 1, `one heartbeat waited behind the blocked loop: ${delays.map((d) => d.toFixed(1)).join(', ')}`);
    assert.ok(late[0]! >= 250 && late[0]! < 400, `it was ~260 ms late (300 ms blocked minus what was left of the interval): ${late[0]}`);
    assert.ok(delays.every((d) => d >= 0));
  });

  test('the histogram counts every heartbeat, and the largest delay is kept', async () => {
    const registry = new Registry();
    const metrics = new TaskManagerMetrics(registry, () => 0);
    try {
      for (const ms of [0.4, 3, 12, 1700]) metrics.observeHeartbeatSendDelay(ms);
      const histogram = await registry.getSingleMetric('rivulet_taskmanager_heartbeat_send_delay_seconds')!.get();
      const sample = (name: string, le?: number): number | undefined =>
        (histogram.values as { metricName?: string; value: number; labels: Partial<Record<string, string | number>> }[]).find((v) => v.metricName === name && (le === undefined || v.labels['le'] === le))?.value;
      assert.equal(sample('rivulet_taskmanager_heartbeat_send_delay_seconds_count'), 4);
      assert.equal(sample('rivulet_taskmanager_heartbeat_send_delay_seconds_bucket', 0.005), 2);
      assert.equal(sample('rivulet_taskmanager_heartbeat_send_delay_seconds_bucket', 0.025), 3);
      assert.equal(sample('rivulet_taskmanager_heartbeat_send_delay_seconds_bucket', 1), 3);
      assert.equal(sample('rivulet_taskmanager_heartbeat_send_delay_seconds_bucket', 2.5), 4);
      const max = await registry.getSingleMetric('rivulet_taskmanager_heartbeat_send_delay_max_seconds')!.get();
      assert.equal(max.values[0]!.value, 1.7);
      metrics.observeHeartbeatSendDelay(5);
      assert.equal((await registry.getSingleMetric('rivulet_taskmanager_heartbeat_send_delay_max_seconds')!.get()).values[0]!.value, 1.7);
    } finally {
      metrics.close();
    }
  });
});

describe('event-loop delay window', () => {
  test('reads about 0 on an idle loop and the blocked time after a block, per window, whoever reads', async () => {
    const window = new EventLoopDelayWindow(10, 300);
    try {
      await sleep(350);
      const idle = window.lastWindow();
      assert.ok(idle.samples > 10, `${idle.samples} samples`);
      assert.ok(idle.maxMs < 40, `idle max ${idle.maxMs} ms`);
      assert.ok(idle.p50Ms < 5, `idle p50 ${idle.p50Ms} ms`);
      block(120);
      await sleep(50);
      const again = window.lastWindow();
      assert.deepEqual(again, idle, 'a read within the window answers the window that closed before');
      await sleep(300);
      const blocked = window.lastWindow();
      assert.ok(blocked.maxMs >= 100 && blocked.maxMs < 250, `blocked max ${blocked.maxMs} ms`);
      assert.ok(blocked.windowMs >= 300);
    } finally {
      window.close();
    }
  });
});
