import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  runCli,
  runCliJson,
  settingsEnvironment,
  startEtcd,
  startJobManager,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedEtcd,
} from '@rivulet/testing';

/**
 * A job with a source of its own (fixtures/range-source-job.ts) across a
 * JobManager failover: its enumerator's state since the latest checkpoint
 * died with the leader, so the new leader restarts every subtask from that
 * checkpoint (docs/source-api.md, "JobManager failover"): new attempts, and
 * still every number exactly once.
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'range-source-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-source-api-ha-'));
let etcd: StartedEtcd | undefined;

after(async () => {
  await stopAllProcesses();
  await etcd?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Cluster {
  leader: { rpcAddress: string };
  taskmanagers: { id: string }[];
}

interface JobDetails {
  state: string;
  'root-exception': string | null;
  vertices: { subtasks: { state: string; attempt: string }[] }[];
  checkpoints: { counts: { completed: number } };
}

const attemptsOf = (d: JobDetails): string[] => d.vertices.flatMap((v) => v.subtasks.map((s) => s.attempt)).sort();

describe('Source API across a JobManager failover (real etcd)', { timeout: 180_000 }, () => {
  test('kill -9 of the leader: the new leader restarts the job from its latest checkpoint, every number exactly once', async () => {
    etcd = await startEtcd();
    const ha = [
      'high-availability.type=etcd',
      `high-availability.etcd.endpoints=${etcd.endpoint}`,
      `high-availability.cluster-id=source-api-${randomUUID().slice(0, 8)}`,
      'high-availability.etcd.lease-ttl=2000ms',
      `execution.checkpointing.dir=${join(dir, 'checkpoints')}`,
    ];
    const jms = [await startJobManager({ set: ha }), await startJobManager({ set: ha })];
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-source-ha-1', set: ha });
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-source-ha-2', set: ha });
    const clusterInfo = (): Promise<Cluster> => runCliJson<Cluster>(['cluster', ...ha.flatMap((s) => ['-D', s])]);
    const status = (jobId: string): Promise<JobDetails> => runCliJson<JobDetails>(['status', jobId, ...ha.flatMap((s) => ['-D', s])]);
    await waitFor(async () => ((await clusterInfo().catch(() => undefined))?.taskmanagers.length === 2 ? true : undefined), { timeoutMs: 30_000, what: 'both TaskManagers registered' });
    const n = 100_000;
    const output = join(dir, 'out');
    // The readers pause until this file appears: the job cannot end before the leader is killed, however slow the machine.
    const unthrottled = join(dir, 'unthrottled');
    const submitted = await runCli([
      'run', JOB, '--detached', '--output', 'json', '--parallelism', '2', '--set', 'execution.checkpointing.interval=500ms',
      '--', '--n', String(n), '--keys', '7', '--splits', '16', '--pause-every', '10', '--pause-ms', '3', '--throttle-until', unthrottled, '--output', output,
    ], { env: settingsEnvironment(ha), timeoutMs: 60_000 });
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    const before = await waitFor(async () => {
      const d = await status(jobId);
      return d.state === 'RUNNING' && d.checkpoints.counts.completed >= 2 ? d : undefined;
    }, { timeoutMs: 60_000, what: 'the job running with checkpoints' });
    const leaderAddress = (await clusterInfo()).leader.rpcAddress;
    jms.find((jm) => jm.rpcAddress === leaderAddress)!.daemon.signal('SIGKILL');
    // Once the new leader has the job, the rest of the input may run at full speed.
    await waitFor(async () => ((await status(jobId).catch(() => undefined)) !== undefined ? true : undefined), { timeoutMs: 60_000, what: 'the new leader to serve the job' });
    writeFileSync(unthrottled, '');
    let last: JobDetails | undefined;
    const end = await waitFor(async () => {
      const d = await status(jobId).catch(() => undefined);
      last = d ?? last;
      return d && ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
    }, { timeoutMs: 120_000, what: 'the job to end under the new leader' }).catch((error: unknown) => {
      // What the new leader saw, for a failure on a loaded machine.
      const survivor = jms.find((jm) => jm.rpcAddress !== leaderAddress)!;
      const logs = survivor.daemon.logs.filter((l) => l['level'] !== 'debug').slice(-40).map((l) => JSON.stringify(l).slice(0, 300));
      throw new Error(`${(error as Error).message}\nlast status: ${JSON.stringify(last)}\nnew leader's last log lines:\n${logs.join('\n')}`);
    });
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.notDeepEqual(attemptsOf(end), attemptsOf(before), 'every subtask was restarted');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 7));
  });
});
