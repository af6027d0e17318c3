import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT,
  TcpProxy,
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
 * A submission whose fate etcd does not tell in time: the JobManager reaches
 * etcd through a proxy that holds etcd's answers, so the job's record is
 * written but neither the write nor the read-back is answered. The CLI is
 * told the outcome is unknown; once etcd answers again the JobManager finds
 * the record and runs the job — once — without waiting for a leader change.
 */

const COUNT_JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'flaky-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-ha-submission-'));
let etcd: StartedEtcd | undefined;
let proxy: TcpProxy | undefined;

before(async () => {
  etcd = await startEtcd();
  proxy = await TcpProxy.start(etcd.clientPort);
});
after(async () => {
  await stopAllProcesses();
  await proxy?.stop();
  await etcd?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('etcd high availability: a submission of unknown outcome', { timeout: 180_000 }, () => {
  test('the write reaches etcd but no answer comes back: the CLI says the outcome is unknown (exit 1); once etcd answers, the job is found recorded and runs exactly once', async () => {
    const cluster = [
      'high-availability.type=etcd',
      `high-availability.cluster-id=unknown-${randomUUID().slice(0, 8)}`,
      // Long enough that the leader keeps its lease while etcd's answers are held (3 s write + 3 s read-back).
      'high-availability.etcd.lease-ttl=20s',
      `execution.checkpointing.dir=${join(dir, 'checkpoints')}`,
    ];
    const direct = [...cluster, `high-availability.etcd.endpoints=${etcd!.endpoint}`];
    const jm = await startJobManager({ set: [...cluster, `high-availability.etcd.endpoints=http://127.0.0.1:${proxy!.port}`] });
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-unknown', set: direct });
    const flags = direct.flatMap((s) => ['-D', s]);
    await waitFor(async () => {
      const c = await runCliJson<{ taskmanagers: unknown[] }>(['cluster', ...flags]).catch(() => undefined);
      return c && c.taskmanagers.length === 1 ? true : undefined;
    }, { timeoutMs: 30_000, what: 'a leader with its TaskManager' });

    const n = 20_000;
    const output = join(dir, 'out');
    // The premise — the write reaches etcd while its answer is held — is not in the test's hands: held answers
    // hold etcd's HTTP/2 control frames too (SETTINGS of a connection being re-established, WINDOW_UPDATEs), and
    // a write that cannot leave the JobManager by its deadline never reaches etcd. It happened once in a full run
    // (load ~2): the leader's verdict was then "not recorded", rightly, and the job never ran. Such an attempt is
    // checked for that and tried again with a new submission, up to 3 times.
    const notRecorded: string[] = [];
    let jobId: string | undefined;
    for (let attempt = 1; attempt <= 3 && jobId === undefined; attempt++) {
      proxy!.holdResponses();
      let submitted;
      try {
        submitted = await runCli([
          'run', COUNT_JOB, '--detached', '--output', 'json', '--parallelism', '2',
          '--set', 'execution.checkpointing.interval=500ms',
          '--', '--n', String(n), '--keys', '11', '--fail-at', '-1', '--failures', '0', '--markers', `${output}-markers`,
          '--pause-every', '20', '--pause-ms', '2', '--output', output,
        ], { env: settingsEnvironment(direct), timeoutMs: 60_000 });
      } finally {
        proxy!.releaseResponses();
      }
      assert.equal(submitted.code, 1, `the submission is not confirmed: ${submitted.stdout}${submitted.stderr}`);
      assert.match(submitted.stderr, /may or may not be recorded in the HA job store/);
      const submittedId = /job ([0-9a-f]{32}) may or may not be recorded/.exec(submitted.stderr)?.[1];
      assert.ok(submittedId, submitted.stderr);

      // The leader reads the record back every second until etcd answers: its verdict is one of its 'submission of unknown outcome' lines.
      const verdict = await jm.daemon.waitForLog((l) => String(l.msg).startsWith('submission of unknown outcome:') && l['jobId'] === submittedId, 60_000, 'the leader\'s verdict on the submission')
        .catch((err: unknown) => {
          const recent = jm.daemon.logs.filter((l) => l['level'] !== 'debug').slice(-25).map((l) => JSON.stringify(l).slice(0, 300));
          throw new Error(`${(err as Error).message}\nthe leader's last log lines:\n${recent.join('\n')}`);
        });
      if (verdict.msg === 'submission of unknown outcome: not recorded; it does not run') {
        notRecorded.push(submittedId);
        continue;
      }
      // The write did reach etcd: the leader finds the record and runs the job, with no leader change.
      assert.equal(verdict.msg, 'submission of unknown outcome: recorded after all; the job runs', JSON.stringify(verdict));
      jobId = submittedId;
    }
    assert.ok(jobId, `in 3 attempts the write never reached etcd while its answer was held (${notRecorded.join(', ')})`);
    const listed = await waitFor(async () => {
      const list = await runCliJson<{ jobs: { id: string; state: string }[] }>(['list', ...flags]).catch(() => undefined);
      return list?.jobs.find((j) => j.id === jobId)?.state === 'FINISHED' ? list : undefined;
    }, { timeoutMs: 90_000, what: `job ${jobId} FINISHED` });
    assert.deepEqual(listed.jobs.map((j) => j.id), [jobId], 'one job, run once (a submission found not recorded is not listed: it never ran)');
    assert.ok(jm.daemon.logs.every((l) => l.msg !== 'leadership revoked; no longer acting as leader'), 'the leader kept its lease throughout');
    assert.doesNotThrow(() => assertCountsExactlyOnce(output, n, 11));
  });
});
