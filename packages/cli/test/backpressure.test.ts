import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT,
  parsePrometheusText,
  runCli,
  runCliJson,
  startCluster,
  stopAllProcesses,
  waitFor,
  type StartedCluster,
  type StartedTaskManager,
} from '@rivulet/testing';

after(stopAllProcesses);

const FIXTURES = join(REPO_ROOT, 'packages/cli/test/fixtures');

async function residentBytes(tm: StartedTaskManager): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${tm.httpPort}/metrics`)).text();
  const family = parsePrometheusText(text).find((f) => f.name === 'rivulet_taskmanager_process_resident_memory_bytes');
  return Number(family?.metrics[0]?.value);
}

interface CheckpointEntry {
  readonly id: number;
  readonly status: string;
  readonly trigger_timestamp: number;
  readonly end_to_end_duration: number;
}

async function cancel(cluster: StartedCluster, jobId: string): Promise<void> {
  const jm = cluster.jobManager;
  const cancelled = await runCli(['cancel', jobId, '--jobmanager', jm.rpcAddress]);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  await waitFor(async () => (await runCliJson<{ state: string }>(['status', jobId, '--jobmanager', jm.rpcAddress])).state === 'CANCELED', {
    timeoutMs: 20_000,
    what: 'the job to be CANCELED',
  });
}

describe('backpressure', { timeout: 150_000 }, () => {
  let cluster: StartedCluster;
  before(async () => {
    cluster = await startCluster({ taskManagers: 2, slots: 1 });
  });

  test('a slow sink slows its producers down and TaskManager memory stays bounded', async () => {
    const { jobManager: jm, taskManagers: tms } = cluster;
    const baseline = await Promise.all(tms.map(residentBytes));

    const submitted = await runCli(['run', join(FIXTURES, 'slow-sink-job.ts'), '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json']);
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

    await cancel(cluster, jobId);
    process.stdout.write(`# backpressure: peak resident growth ${peak.map((p) => `${Math.round(p / 1048576)} MiB`).join(', ')}\n`);
  });

  test('buffer debloating: behind a consumer of 200 records/s, a checkpoint barrier waits about a second, not the whole in-flight data', async () => {
    // Without debloating each sink's channel holds what 32 KiB batches hold:
    // ~1,600 records through the other TaskManager (8 s at 200 records/s), 8,192
    // inside the slot's thread (40 s), and every checkpoint takes that long.
    const jm = cluster.jobManager;
    const submitted = await runCli([
      'run', join(FIXTURES, 'crawling-sink-job.ts'), '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json',
      '--set', 'execution.checkpointing.interval=1s',
    ]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { jobId } = JSON.parse(submitted.stdout) as { jobId: string };
    const started = Date.now();
    const history = async (): Promise<CheckpointEntry[]> => {
      const body = (await (await fetch(`${jm.restUrl}/jobs/${jobId}/checkpoints`)).json()) as { history: CheckpointEntry[] };
      return body.history;
    };
    // The batches cut before the first measurement (8 s of data) drain first; a checkpoint
    // triggered after them must complete within 4 s (it takes ~2.5 s here).
    const quick = await waitFor(async () => (await history()).find((c) =>
      c.status === 'COMPLETED' && c.trigger_timestamp > started + 10_000 && c.end_to_end_duration < 4000), {
      timeoutMs: 45_000,
      what: 'a checkpoint triggered after 10 s that completes within 4 s',
    });
    const durations = (await history()).filter((c) => c.status === 'COMPLETED').map((c) => `${c.id}: ${c.end_to_end_duration} ms`);
    await cancel(cluster, jobId);
    process.stdout.write(`# backpressure: checkpoint ${quick.id} took ${quick.end_to_end_duration} ms; completed: ${durations.join(', ')}\n`);
  });
});
