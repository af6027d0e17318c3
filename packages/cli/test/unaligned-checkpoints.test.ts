import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  runCli,
  startCluster,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

const JOB = join(REPO_ROOT, 'bench', 'jobs', 'backpressure-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-unaligned-'));

after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

interface CheckpointEntry {
  readonly id: number;
  readonly status: string;
  readonly trigger_timestamp: number;
  readonly end_to_end_duration: number;
  readonly persisted_data: number;
  readonly alignment_duration: number;
}

interface Details {
  state: string;
  'root-exception': string | null;
  restarts: { numRestarts: number };
  vertices: { subtasks: { state: string; taskmanager: string | null }[] }[];
}

const history = async (jm: StartedJobManager, jobId: string): Promise<CheckpointEntry[]> =>
  ((await (await fetch(`${jm.restUrl}/jobs/${jobId}/checkpoints`)).json()) as { history: CheckpointEntry[] }).history;
const details = async (jm: StartedJobManager, jobId: string): Promise<Details> =>
  (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as Details;
const allRunning = (d: Details): boolean => d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING'));

async function submit(jm: StartedJobManager, args: readonly string[], settings: readonly string[]): Promise<string> {
  const result = await runCli([
    'run', JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', '--parallelism', '2',
    ...settings.flatMap((s) => ['--set', s]), '--', ...args,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

async function cancel(jm: StartedJobManager, jobId: string): Promise<void> {
  const cancelled = await runCli(['cancel', jobId, '--jobmanager', jm.rpcAddress]);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  await waitFor(async () => (await details(jm, jobId)).state === 'CANCELED', { timeoutMs: 20_000, what: 'the job to be CANCELED' });
}

describe('unaligned checkpoints (real processes)', { timeout: 300_000 }, () => {
  test('under heavy backpressure an unaligned checkpoint completes within seconds; an aligned one waits behind the in-flight data', async (t) => {
    // No buffer debloating: each channel holds whole 32 KiB batches, several seconds of the slow map's work.
    const settings = ['taskmanager.network.memory.buffer-debloat.enabled=false', `execution.checkpointing.dir=${join(dir, 'bounded-checkpoints')}`];
    const { jobManager: jm } = await startCluster({ taskManagers: 2, slots: 1, set: settings });
    const args = ['--n', '100000000', '--keys', '64', '--slow-us', '500', '--output', join(dir, 'bounded-out')];
    const measure = async (unaligned: boolean): Promise<CheckpointEntry> => {
      const jobId = await submit(jm, [...args.slice(0, -1), join(dir, `bounded-out-${unaligned}`)], ['execution.checkpointing.interval=1s', `execution.checkpointing.unaligned.enabled=${unaligned}`]);
      const started = Date.now();
      // The channels fill within the first seconds; a checkpoint triggered after them is measured.
      const entry = await waitFor(async () => (await history(jm, jobId)).find((c) => c.status === 'COMPLETED' && c.trigger_timestamp > started + 8000), {
        timeoutMs: 90_000,
        what: `a ${unaligned ? 'unaligned' : 'aligned'} checkpoint triggered after 8 s to complete`,
      });
      t.diagnostic(`${unaligned ? 'unaligned' : 'aligned'}: checkpoint ${entry.id} took ${entry.end_to_end_duration} ms, persisted ${entry.persisted_data} bytes of in-flight data`);
      await cancel(jm, jobId);
      return entry;
    };
    const unaligned = await measure(true);
    assert.ok(unaligned.persisted_data > 0, 'the barriers overtook in-flight data, which was stored');
    assert.ok(unaligned.end_to_end_duration < 5000, `the unaligned checkpoint took ${unaligned.end_to_end_duration} ms (bound 5 s)`);
    const aligned = await measure(false);
    assert.equal(aligned.persisted_data, 0, 'an aligned checkpoint stores no in-flight data');
    assert.ok(aligned.end_to_end_duration > 2 * unaligned.end_to_end_duration,
      `aligned ${aligned.end_to_end_duration} ms against unaligned ${unaligned.end_to_end_duration} ms: the barrier waited behind the in-flight data`);
    await stopAllProcesses();
  });

  test('kill -9 of a TaskManager during a backpressured job: its in-flight data is restored and the output is exactly once', async (t) => {
    const settings = [`execution.checkpointing.dir=${join(dir, 'kill-checkpoints')}`, 'taskmanager.network.memory.buffer-debloat.enabled=false'];
    const jm = await startJobManager({ set: settings });
    const tms: StartedTaskManager[] = [];
    for (const name of ['tm-a', 'tm-b']) tms.push(await startTaskManager(jm.rpcAddress, { slots: 1, name, set: [...settings, `taskmanager.resource-id=${name}`] }));
    const n = 300_000;
    const output = join(dir, 'kill', 'out');
    const unthrottle = join(dir, 'kill', 'unthrottled');
    mkdirSync(join(dir, 'kill'), { recursive: true });
    const jobId = await submit(jm, ['--n', String(n), '--keys', '11', '--slow-us', '200', '--throttle-until', unthrottle, '--output', output],
      ['execution.checkpointing.interval=500ms', 'execution.checkpointing.unaligned.enabled=true', 'restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.delay=200ms']);
    const withInFlight = await waitFor(async () => {
      const d = await details(jm, jobId);
      if (d.state === 'FINISHED' || d.state === 'FAILED') throw new Error(`job ${d.state} before the kill: ${d['root-exception']}`);
      const entries = await history(jm, jobId);
      return allRunning(d) && entries.filter((c) => c.status === 'COMPLETED' && c.persisted_data > 0).length >= 2 ? entries : undefined;
    }, { timeoutMs: 60_000, what: 'two completed checkpoints holding in-flight data' });
    t.diagnostic(`before the kill: ${withInFlight.filter((c) => c.status === 'COMPLETED').map((c) => `${c.id}: ${c.persisted_data} B in flight`).join(', ')}`);
    const victim = tms[1]!;
    victim.daemon.signal('SIGKILL');
    await victim.daemon.exited;
    const spare = await startTaskManager(jm.rpcAddress, { slots: 1, name: 'tm-spare', set: [...settings, 'taskmanager.resource-id=tm-spare'] });
    await waitFor(async () => {
      const d = await details(jm, jobId);
      if (d.state === 'FAILED') throw new Error(`job failed after the kill: ${d['root-exception']}`);
      return d.restarts.numRestarts >= 1 && allRunning(d) ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job running again after the kill' });
    const restoredLines = [...tms[0]!.daemon.logs, ...spare.daemon.logs].filter((e) => e.msg === 'in-flight records of an unaligned checkpoint restored');
    assert.ok(restoredLines.length > 0, 'a restored subtask replayed in-flight records of the checkpoint');
    t.diagnostic(`restored in-flight records: ${restoredLines.map((e) => `${String(e['inputBatches'])} in, ${String(e['outputBatches'])} out`).join('; ')}`);
    writeFileSync(unthrottle, '');
    const end = await waitFor(async () => {
      const d = await details(jm, jobId);
      return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
    }, { timeoutMs: 120_000, what: 'the job to end' });
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
    await stopAllProcesses();
  });
});
