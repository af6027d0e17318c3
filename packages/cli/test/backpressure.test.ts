import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  REPO_ROOT,
  parsePrometheusText,
  runCli,
  runCliJson,
  startCluster,
  stopAllProcesses,
  waitFor,
  type StartedTaskManager,
} from '@rivulet/testing';

after(stopAllProcesses);

async function residentBytes(tm: StartedTaskManager): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${tm.httpPort}/metrics`)).text();
  const family = parsePrometheusText(text).find((f) => f.name === 'rivulet_taskmanager_process_resident_memory_bytes');
  return Number(family?.metrics[0]?.value);
}

describe('backpressure', { timeout: 90_000 }, () => {
  test('a slow sink slows its producers down and TaskManager memory stays bounded', async () => {
    const { jobManager: jm, taskManagers: tms } = await startCluster({ taskManagers: 2, slots: 1 });
    const baseline = await Promise.all(tms.map(residentBytes));

    const submitted = await runCli(['run', join(REPO_ROOT, 'packages/cli/test/fixtures/slow-sink-job.ts'), '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json']);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { jobId } = JSON.parse(submitted.stdout) as { jobId: string };
    await waitFor(async () => (await runCliJson<{ state: string; vertices: Array<{ tasks: Record<string, number> }> }>(['status', jobId, '--jobmanager', jm.rpcAddress]))
      .vertices.every((v) => (v.tasks['RUNNING'] ?? 0) > 0), { timeoutMs: 20_000, what: 'every task running' });

    // Unbounded buffering would hold hundreds of MB within seconds (the source
    // makes millions of 200-byte records per second; the sink takes ~40k/s).
    let peak = [0, 0];
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      const now = await Promise.all(tms.map(residentBytes));
      peak = peak.map((p, i) => Math.max(p, now[i]! - baseline[i]!));
      await new Promise((r) => setTimeout(r, 250));
    }
    const status = await runCliJson<{ state: string }>(['status', jobId, '--jobmanager', jm.rpcAddress]);
    assert.equal(status.state, 'RUNNING', 'the job is still running: its source was held back');
    for (const growth of peak) {
      assert.ok(growth < 150 * 1024 * 1024, `resident memory grew by ${Math.round(growth / 1048576)} MiB (bound 150 MiB)`);
    }

    const cancelled = await runCli(['cancel', jobId, '--jobmanager', jm.rpcAddress]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    await waitFor(async () => (await runCliJson<{ state: string }>(['status', jobId, '--jobmanager', jm.rpcAddress])).state === 'CANCELED', {
      timeoutMs: 20_000,
      what: 'the job to be CANCELED',
    });
    process.stdout.write(`# backpressure: peak resident growth ${peak.map((p) => `${Math.round(p / 1048576)} MiB`).join(', ')}\n`);
  });
});
