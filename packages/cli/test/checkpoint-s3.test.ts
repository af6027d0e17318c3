import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createCheckpointStorage, loadConfiguration } from '@rivulet/common';
import {
  REPO_ROOT,
  assertCountsExactlyOnce,
  runCli,
  runCliJson,
  startCluster,
  s3rverSettings,
  startS3Server,
  stopAllProcesses,
  waitFor,
  type StartedS3Server,
} from '@rivulet/testing';

const COUNT_JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'checkpointed-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-s3-checkpoints-'));
let s3: StartedS3Server | undefined;

after(async () => {
  await stopAllProcesses();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Status {
  state: string;
  checkpoints: { counts: { completed: number }; latest?: { completed?: { external_path?: string } | null } };
}

describe('checkpoints on S3 (a real s3rver process)', { timeout: 180_000 }, () => {
  test('checkpoint data files get entropy, metadata does not; a restore from the S3 checkpoint is exactly once', async () => {
    s3 = await startS3Server({ buckets: ['rivulet'] });
    const s3Settings = [
      ...s3rverSettings(s3),
      'execution.checkpointing.dir=s3://rivulet/checkpoints', 's3.entropy.key=_entropy_',
    ];
    const jm = (await startCluster({ taskManagers: 2, slots: 2, set: s3Settings })).jobManager;

    const n = 400_000;
    const output = join(dir, 'out');
    // Slow until cancelled (about 20 s of input), fast once restored.
    const args = (pauseMs: number): string[] => ['--', '--n', String(n), '--keys', '12', '--pause-every', '50', '--pause-ms', String(pauseMs), '--output', output];
    const submitted = await runCli(['run', COUNT_JOB, '--jobmanager', jm.rpcAddress, '-p', '2', '--detached', '--output', 'json',
      '--set', 'execution.checkpointing.interval=500ms', '--set', 'execution.checkpointing.externalized-checkpoint-retention=RETAIN_ON_CANCELLATION', ...args(5)]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    // Polled through REST (a CLI process per poll costs over a second of CPU on a small machine); the CLI reports the end.
    const details = async (): Promise<Status> => (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as Status;
    await waitFor(async () => (await details()).checkpoints.counts.completed >= 2, {
      timeoutMs: 60_000,
      what: '2 completed checkpoints on S3',
    });
    const cancelled = await runCli(['cancel', jobId, '--jobmanager', jm.rpcAddress]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    await waitFor(async () => (await details()).state === 'CANCELED', { timeoutMs: 30_000, what: 'CANCELED' });
    const final = await runCliJson<Status>(['status', jobId, '--jobmanager', jm.rpcAddress]);
    const checkpoint = final.checkpoints.latest?.completed?.external_path ?? '';
    assert.ok(checkpoint.startsWith('s3://rivulet/checkpoints/'), `retained checkpoint at ${checkpoint}`);

    const config = loadConfiguration({ flags: Object.fromEntries(s3Settings.map((s) => s.split('=') as [string, string])) });
    const storage = createCheckpointStorage('s3://rivulet/checkpoints', config);
    try {
      const paths = (await storage.list('')).map((o) => o.path);
      const folder = checkpoint.slice('s3://rivulet/checkpoints/'.length);
      assert.ok(paths.includes(`${folder}/_metadata`), 'metadata sits in the checkpoint folder, without entropy');
      const dataFiles = paths.filter((p) => /\/state-\d+$/.test(p));
      assert.ok(dataFiles.length > 0, 'state files were written');
      assert.ok(dataFiles.every((p) => /^[0-9a-z]{4}\//.test(p) && !p.includes('_entropy_')), `state files carry entropy: ${dataFiles.slice(0, 3).join(', ')}`);
    } finally {
      await storage.close();
    }

    const restored = await runCli(['run', COUNT_JOB, '--jobmanager', jm.rpcAddress, '-p', '3', '--from-savepoint', checkpoint, ...args(0)], { timeoutMs: 120_000 });
    assert.equal(restored.code, 0, restored.stderr);
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 12));
  });
});
