/**
 * The heartbeat metrics of real daemons: the JobManager's histogram of the
 * gap between a TaskManager's heartbeats (and the largest gap, which tests
 * read to check a TaskManager was never stalled), the TaskManager's own
 * send delay, and what a TaskManager frozen with SIGSTOP for 1.5 s shows.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { parsePrometheusText, startJobManager, startTaskManager, stopAllProcesses, waitFor } from '@rivulet/testing';

after(stopAllProcesses);

async function metricsText(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  return response.text();
}

/** The JobManager's largest heartbeat gap per TaskManager (resource id -> ms), from /metrics. */
async function largestHeartbeatGapsMs(restUrl: string): Promise<Map<string, number>> {
  const family = parsePrometheusText(await metricsText(restUrl)).find((f) => f.name === 'rivulet_jobmanager_taskmanager_heartbeat_gap_max_seconds');
  return new Map((family?.metrics ?? []).map((m) => [m.labels?.['tm_id'] ?? '', Number(m.value) * 1000]));
}

/** A histogram's samples for one series, read straight from the text (`_count`, `_sum`, `_bucket{le}`). */
function histogramOf(text: string, name: string, labels: string): { count: number; sum: number; above: (le: number) => number } | undefined {
  const value = (line: string): number => Number(line.slice(line.lastIndexOf(' ') + 1));
  const lines = text.split('\n').filter((l) => l.startsWith(name) && l.includes(labels));
  const count = lines.find((l) => l.startsWith(`${name}_count`));
  const sum = lines.find((l) => l.startsWith(`${name}_sum`));
  if (count === undefined || sum === undefined) return undefined;
  return {
    count: value(count),
    sum: value(sum),
    above: (le) => value(count) - value(lines.find((l) => l.startsWith(`${name}_bucket`) && l.includes(`le="${le}"`))!),
  };
}

const GAP = 'rivulet_jobmanager_taskmanager_heartbeat_gap_seconds';
const SEND_DELAY = 'rivulet_taskmanager_heartbeat_send_delay_seconds';

describe('heartbeat metrics', { timeout: 60_000 }, () => {
  test('the JobManager counts a TaskManager\'s heartbeats; a TaskManager frozen for 1.5 s shows a gap of 1.5 s or more, and its series go when it leaves', async () => {
    const jm = await startJobManager();
    const tm = await startTaskManager(jm.rpcAddress, { slots: 1, name: 'tm-frozen' });
    const tmUrl = `http://127.0.0.1:${tm.httpPort}`;
    const tmLabel = `tm_id="${tm.resourceId}"`;

    // Heartbeats every second (heartbeat.interval): a few gaps of about 1 s.
    const before = await waitFor(async () => {
      const h = histogramOf(await metricsText(jm.restUrl), GAP, tmLabel);
      return h !== undefined && h.count >= 3 ? h : undefined;
    }, { timeoutMs: 15_000, what: '3 heartbeat gaps of the TaskManager in the JobManager\'s histogram' });
    // About a second each (loosely: the first may be shorter, as the first heartbeat leaves once the stream
    // is up while the interval timer ran from its start, and a loaded machine delays some).
    assert.ok(before.sum / before.count > 0.7 && before.sum / before.count < 1.5, `mean gap ${before.sum / before.count} s`);
    const largestBefore = (await largestHeartbeatGapsMs(jm.restUrl)).get(tm.resourceId);
    assert.ok(largestBefore !== undefined && largestBefore > 0, `largest gap before the freeze: ${largestBefore} ms`);

    await tm.daemon.freeze();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    tm.daemon.signal('SIGCONT');

    const largest = await waitFor(async () => {
      const gap = (await largestHeartbeatGapsMs(jm.restUrl)).get(tm.resourceId);
      return gap !== undefined && gap > largestBefore ? gap : undefined;
    }, { timeoutMs: 5000, what: 'a larger heartbeat gap after the freeze' });
    assert.ok(largest >= 1500 && largest < 4000, `largest gap ${largest} ms`);
    const after = histogramOf(await metricsText(jm.restUrl), GAP, tmLabel)!;
    assert.ok(after.count > before.count);
    assert.ok(after.above(1.5) - before.above(1.5) >= 1, 'the histogram counted a gap above 1.5 s');

    // The TaskManager saw the same stall as a late heartbeat: a tick fell within the 1.5 s freeze.
    const tmText = await metricsText(tmUrl);
    const sendDelay = histogramOf(tmText, SEND_DELAY, '')!;
    assert.ok(sendDelay.count >= 3, `${sendDelay.count} heartbeats sent`);
    assert.ok(sendDelay.above(0.25) >= 1, 'a heartbeat left more than 250 ms late');
    const maxDelay = Number(parsePrometheusText(tmText).find((f) => f.name === 'rivulet_taskmanager_heartbeat_send_delay_max_seconds')?.metrics[0]?.value);
    assert.ok(maxDelay >= 0.4 && maxDelay < 4, `largest send delay ${maxDelay} s`);
    const eventLoopMax = Number(parsePrometheusText(tmText).find((f) => f.name === 'rivulet_taskmanager_eventloop_delay_max_seconds')?.metrics[0]?.value);
    assert.ok(eventLoopMax >= 0.4, `the event-loop delay window saw the freeze: ${eventLoopMax} s`);

    await tm.daemon.stop();
    await waitFor(async () => !(await metricsText(jm.restUrl)).includes(tmLabel), {
      timeoutMs: 10_000,
      what: 'the stopped TaskManager\'s heartbeat series to be removed',
    });
    assert.equal((await largestHeartbeatGapsMs(jm.restUrl)).size, 0);
  });
});
