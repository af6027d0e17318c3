import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, runCli, startJobManager, startTaskManager, stopAllProcesses, waitFor, type StartedJobManager } from '@rivulet/testing';

/**
 * A TaskManager whose execution.checkpointing.dir is not the JobManager's is
 * refused at registration and exits 1 with a message naming both values and
 * the key; the same folder written another way is accepted; the cluster
 * goes on with the TaskManagers that agree.
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'tiny-collect-job.ts');
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'rivulet-storage-mismatch-')));
const checkpoints = join(dir, 'checkpoints');
let jm: StartedJobManager;

before(async () => {
  mkdirSync(checkpoints);
  symlinkSync(checkpoints, join(dir, 'link'));
  jm = await startJobManager({ set: [`execution.checkpointing.dir=${checkpoints}`] });
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

async function slotsTotal(): Promise<number> {
  return ((await (await fetch(`${jm.restUrl}/overview`)).json()) as { 'slots-total': number })['slots-total'];
}

describe('execution.checkpointing.dir must be the same on the JobManager and every TaskManager', () => {
  test('the same folder written another way (file:// URL, trailing slash, a symlink) registers', async () => {
    await startTaskManager(jm.rpcAddress, { name: 'tm-url', set: [`execution.checkpointing.dir=file://${checkpoints}/`] });
    await startTaskManager(jm.rpcAddress, { name: 'tm-link', set: [`execution.checkpointing.dir=${join(dir, 'link')}`] });
    await waitFor(async () => (await slotsTotal()) === 2 || undefined, { timeoutMs: 20_000, what: '2 TaskManagers registered' });
  });

  test('a TaskManager with another folder is refused and exits 1 naming both values and the key; the cluster keeps working', async () => {
    const elsewhere = join(dir, 'elsewhere');
    const started = Date.now();
    const refused = await runCli([
      'taskmanager', '--host', '127.0.0.1', '--jobmanager', jm.rpcAddress, '--slots', '1', '--rpc-port', '0', '--data-port', '0', '--http-port', '0',
      '-D', `execution.checkpointing.dir=${elsewhere}`, '-D', `taskmanager.tmp.dirs=${dir}`,
    ], { timeoutMs: 30_000 });
    assert.equal(refused.code, 1, refused.stderr);
    assert.ok(Date.now() - started < 15_000, 'it stops at once instead of retrying');
    const expected = new RegExp(
      `TaskManager \\S+ refused: its execution.checkpointing.dir "${elsewhere}" \\(file://${elsewhere}\\) is not this JobManager's "${checkpoints}" \\(file://${checkpoints}\\); ` +
        'its checkpoints would be written where no restore reads them: give every JobManager and TaskManager the same execution.checkpointing.dir',
    );
    assert.match(refused.stderr, new RegExp(`^rivulet taskmanager: ${expected.source}\\n$`), 'one line on stderr');
    const logs = refused.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(logs.some((entry) => entry['level'] === 'fatal' && expected.test(String(entry['err']))), 'the TaskManager logs the refusal');
    assert.ok(jm.daemon.logs.some((entry) => entry['level'] === 'error' && expected.test(String(entry.msg))), 'the JobManager logs it too');

    assert.equal(await slotsTotal(), 2, 'the refused TaskManager holds no slot');
    const run = await runCli(['run', JOB, '--jobmanager', jm.rpcAddress, '--parallelism', '2', '--set', 'execution.checkpointing.interval=100ms', '--output', 'json', '--', '--n', '50'], { timeoutMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { state: string }).state, 'FINISHED');
  });
});
