import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCheckpointStorage, loadConfiguration } from '@rivulet/common';
import {
  REPO_ROOT,
  runCli,
  runCliJson,
  startCluster,
  s3rverConfig,
  s3rverSettings,
  startS3Server,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedS3Server,
  committedCounts,
} from '@rivulet/testing';

/**
 * Checkpoint failures against a real S3 endpoint (an s3rver process): the
 * endpoint stopped while a job checkpoints (within and beyond
 * execution.checkpointing.tolerable-failed-checkpoints), checkpoint folders
 * without or with corrupted `_metadata`, and a savepoint holding state of an
 * operator the job does not have.
 */

const FIXTURES = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures');
/**
 * A keyed count into the exactly-once file sink, as checkpointed-count-job.ts,
 * but throttled by a timer instead of a busy wait: that fixture spins inside
 * map(), and a source task runs 8 batches of 1024 records between yields to
 * the event loop, so a strong throttle there blocks the TaskManager for
 * seconds — heartbeats time out and S3 calls miss their deadline.
 */
const COUNT_JOB = join(FIXTURES, 'throttled-count-job.ts');
const BUCKET = 'checkpoints';
const CHECKPOINT_DIR = `s3://${BUCKET}/failures`;

/** Records and keys of every job here; N / KEYS counts per key. */
const N = 100_000;
const KEYS = 8;
/** Throttled: 100 waits of 600 ms, about 60 s — far longer than any test keeps a job running. */
const SLOW = ['--delay-every', '1000', '--delay-ms', '600'];
/** Unthrottled, for restored runs that should finish at once. */
const FAST = ['--delay-every', '0'];

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
const dir = mkdtempSync(join(tmpdir(), 'rivulet-checkpoint-failures-'));
let s3: StartedS3Server;
let jm: StartedJobManager;
let s3Settings: string[];

interface CheckpointEntry {
  id: number;
  status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  is_savepoint: boolean;
  external_path?: string | null;
  discarded?: boolean;
  failure_message?: string | null;
  failure_reason?: string | null;
}

interface CheckpointStatistics {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  latest: {
    completed: CheckpointEntry | null;
    savepoint: CheckpointEntry | null;
    failed: CheckpointEntry | null;
    restored: { id: number; external_path: string; is_savepoint: boolean } | null;
  };
  history: CheckpointEntry[];
}

interface JobDetails {
  state: string;
  exceptions: Array<{ message: string; task: string | null }>;
  'root-exception': string | null;
  vertices: Array<{ name: string; tasks: Record<string, number> }>;
  checkpoints: CheckpointStatistics;
}

const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);

/**
 * External paths of completed checkpoints the first two tests leave behind
 * (retained when their jobs were cancelled or failed), for the broken-metadata
 * test to damage, saving it a job of its own.
 */
const leftBehind: string[] = [];

before(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  s3Settings = [
    `execution.checkpointing.dir=${CHECKPOINT_DIR}`,
    ...s3rverSettings(s3),
    's3.retry.deadline=2s',
  ];
  // Job bundles are kept in checkpoint storage too: every job here is submitted while S3 is up.
  // Every job here has parallelism 1 and needs one slot (the tests run one after another).
  jm = (await startCluster({ taskManagers: 1, slots: 2, set: s3Settings })).jobManager;
});

after(async () => {
  await stopAllProcesses();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `rivulet status JOB --output json`. */
function status(jobId: string): Promise<JobDetails> {
  return runCliJson<JobDetails>(['status', jobId, '--jobmanager', jm.rpcAddress]);
}

/**
 * The same JSON from the REST API (`GET /jobs/:id`), for polling: a CLI call
 * starts a process (seconds on a loaded machine) and could miss a state that
 * lasts a few seconds.
 */
async function details(jobId: string): Promise<JobDetails> {
  const response = await fetch(`${jm.restUrl}/jobs/${jobId}`);
  assert.equal(response.status, 200, `GET /jobs/${jobId}`);
  return (await response.json()) as JobDetails;
}

function log(line: string): void {
  process.stdout.write(`# checkpoint-failures: ${line.replace(/[\u0000-\u001f]/g, '?')}\n`);
}

/** `rivulet run JOB --detached`: the job id. */
async function submit(job: string, settings: readonly string[], args: readonly string[]): Promise<string> {
  const result = await runCli(
    ['run', job, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', ...settings.flatMap((s) => ['--set', s]), '--', ...args],
    { timeoutMs: 30_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

/** `rivulet run JOB` to its end, `--output json`. */
function runToEnd(job: string, options: readonly string[], args: readonly string[]) {
  return runCli(['run', job, '--jobmanager', jm.rpcAddress, '--output', 'json', ...options, '--', ...args], { timeoutMs: 60_000 });
}

function checkpointing(tolerable: number, extra: readonly string[] = []): string[] {
  return [
    'execution.checkpointing.interval=500ms',
    `execution.checkpointing.tolerable-failed-checkpoints=${tolerable}`,
    'execution.checkpointing.externalized-checkpoint-retention=RETAIN_ON_CANCELLATION',
    ...extra,
  ];
}

/** Polls the job until `probe` returns a value, or the job ends (then returns the details, to be asserted on). */
async function poll<T>(jobId: string, probe: (details: JobDetails) => T | undefined, timeoutMs: number, what: string): Promise<{ value: T | undefined; details: JobDetails }> {
  return waitFor(async () => {
    const now = await details(jobId);
    const value = probe(now);
    if (value !== undefined) return { value, details: now };
    if (TERMINAL.has(now.state)) return { value: undefined, details: now };
    return undefined;
  }, { timeoutMs, intervalMs: 100, what });
}

async function cancel(jobId: string): Promise<JobDetails> {
  const cancelled = await runCli(['cancel', jobId, '--jobmanager', jm.rpcAddress]);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  return waitFor(async () => {
    const now = await details(jobId);
    return now.state === 'CANCELED' ? now : undefined;
  }, { timeoutMs: 20_000, intervalMs: 100, what: `job ${jobId} to be CANCELED` });
}

async function jobIds(): Promise<string[]> {
  const body = (await (await fetch(`${jm.restUrl}/jobs`)).json()) as { jobs: Array<{ id: string }> };
  return body.jobs.map((j) => j.id).sort();
}

function visibleFiles(output: string): string[] {
  return existsSync(output) ? readdirSync(output).filter((f) => f.startsWith('part-')).sort() : [];
}

const visibleCounts = committedCounts;

/** Compares two multisets of numbers, describing the first differences rather than dumping thousands of entries. */
function assertSameCounts(key: string, actual: readonly number[], expected: readonly number[]): void {
  const tally = new Map<number, number>();
  for (const c of expected) tally.set(c, (tally.get(c) ?? 0) + 1);
  for (const c of actual) tally.set(c, (tally.get(c) ?? 0) - 1);
  const missing = [...tally].filter(([, d]) => d > 0).map(([c]) => c).sort((a, b) => a - b);
  const extra = [...tally].filter(([, d]) => d < 0).map(([c]) => c).sort((a, b) => a - b);
  assert.ok(
    missing.length === 0 && extra.length === 0,
    `key ${key}: ${actual.length} records, expected ${expected.length}; ` +
      `missing ${missing.length} (${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}), ` +
      `duplicated or unexpected ${extra.length} (${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ', …' : ''})`,
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** Exactly once: for every key the counts 1..N/KEYS each appear once in the visible part-* files. */
function assertExactlyOnce(output: string): void {
  const counts = visibleCounts(output);
  assert.deepEqual([...counts.keys()].sort(), range(0, KEYS - 1).map((k) => `k${k}`).sort(), 'every key has output');
  for (const [key, list] of counts) assertSameCounts(key, list, range(1, N / KEYS));
}

/** The S3 storage of one snapshot folder, as the JobManager opens it, for breaking its `_metadata`. */
function snapshotStorage(path: string) {
  const config = loadConfiguration({
    flags: { ...s3rverConfig(s3), 's3.retry.deadline': '5s' },
  });
  return createCheckpointStorage(path, config, { key: 'test snapshot', entropy: false });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Two retained checkpoints of a job of its own, when the tests before did not leave any (run alone, or failed). */
async function twoRetainedCheckpoints(): Promise<string[]> {
  const jobId = await submit(COUNT_JOB, checkpointing(100, ['execution.checkpointing.num-retained=2']), [
    '--n', String(N), '--keys', String(KEYS), ...SLOW, '--output', join(dir, 'broken-snapshots'),
  ]);
  const two = await poll(jobId, (d) => (d.checkpoints.counts.completed >= 2 ? true : undefined), 20_000, 'two completed checkpoints');
  assert.ok(two.value, `two checkpoints complete (job ${two.details.state}: ${two.details['root-exception']})`);
  const cancelled = await cancel(jobId);
  const retained = cancelled.checkpoints.history.filter((h) => h.status === 'COMPLETED' && !h.is_savepoint && !h.discarded);
  assert.equal(retained.length, 2, `two retained checkpoints: ${JSON.stringify(cancelled.checkpoints.history.map((h) => [h.id, h.status, h.discarded]))}`);
  return retained.map((h) => h.external_path!);
}

describe('checkpoint failures', { timeout: 150_000 }, () => {
  test('S3 stopped during checkpoints: they fail with the endpoint named, the job keeps running, checkpoints resume, and the last completed one still restores exactly once', async () => {
    const outA = join(dir, 'outage-a');
    const outB = join(dir, 'outage-b');
    const jobId = await submit(COUNT_JOB, checkpointing(100, ['execution.checkpointing.num-retained=50']), [
      '--n', String(N), '--keys', String(KEYS), ...SLOW, '--output', outA,
    ]);
    const before = await poll(jobId, (d) => d.checkpoints.latest.completed ?? undefined, 20_000, 'a completed checkpoint');
    assert.ok(before.value, `a checkpoint completes before the outage (job ${before.details.state}: ${before.details['root-exception']})`);

    await s3.stop();
    let outage;
    try {
      // Checkpoints triggered while the endpoint is down fail (a task's upload
      // gives up after s3.retry.deadline = 2 s): wait for two of them.
      outage = await poll(jobId, (d) => {
        // Under load a checkpoint before the outage may fail too (a slow answer past the deadline): not counted here.
        const failed = d.checkpoints.history.filter((h) => h.status === 'FAILED' && !h.is_savepoint && h.id > before.value!.id);
        return failed.length >= 2 ? failed : undefined;
      }, 25_000, 'two checkpoints to fail while S3 is down');
      assert.equal(outage.details.state, 'RUNNING', `within tolerable-failed-checkpoints the job keeps running: ${outage.details['root-exception']}`);
      const failed = outage.value!;
      const lastCompleted = outage.details.checkpoints.latest.completed!;
      assert.ok(lastCompleted.id >= before.value.id);
      for (const f of failed) {
        assert.ok(f.id > lastCompleted.id, `failed checkpoint ${f.id} is newer than the last completed ${lastCompleted.id}`);
        assert.match(f.failure_reason ?? '', /CHECKPOINT_DECLINED|FINALIZE_CHECKPOINT_FAILURE/, `reason of checkpoint ${f.id}`);
        // e.g. "declined by task …: put s3://…/state failed: S3 endpoint http://127.0.0.1:P unavailable: gave up after …"
        assert.match(f.failure_message ?? '', new RegExp(escapeRegExp(s3.endpoint)), `the failure of checkpoint ${f.id} names the endpoint`);
        assert.match(f.failure_message ?? '', /unavailable|ECONNREFUSED|did not answer/, `the failure of checkpoint ${f.id} says why`);
        assert.match(f.failure_message ?? '', new RegExp(escapeRegExp(`s3://${BUCKET}/`)), `the failure of checkpoint ${f.id} names the storage path`);
      }
      assert.ok(outage.details.checkpoints.counts.failed >= 2);
      log(`while S3 is down: ${failed.map((f) => `checkpoint ${f.id} ${f.failure_reason}: ${f.failure_message}`).join(' | ')}`);

      // What a reader sees now is what the last completed checkpoint
      // committed; keep a copy to restore that checkpoint into later.
      mkdirSync(outB, { recursive: true });
      for (const file of visibleFiles(outA)) copyFileSync(join(outA, file), join(outB, file));
      const still = await details(jobId);
      assert.equal(still.state, 'RUNNING');
      assert.equal(still.checkpoints.latest.completed?.id, lastCompleted.id, 'no checkpoint completes while S3 is down: the last completed one stays the recovery point');
      assert.ok(visibleFiles(outB).length > 0, 'the checkpoint before the outage committed output');
    } finally {
      await s3.start();
    }
    const C = outage.details.checkpoints.latest.completed!;
    const lastFailedId = Math.max(...outage.value!.map((f) => f.id));

    const resumed = await poll(jobId, (d) => {
      const latest = d.checkpoints.latest.completed;
      return latest && latest.id > lastFailedId ? latest : undefined;
    }, 20_000, 'a checkpoint to complete after S3 is back');
    assert.ok(resumed.value, `checkpoints complete again once S3 is back (job ${resumed.details.state}: ${resumed.details['root-exception']})`);
    assert.equal(resumed.details.state, 'RUNNING');

    const cancelled = await cancel(jobId);
    assert.ok(cancelled.checkpoints.counts.failed >= 2);
    const cExternal = C.external_path;
    assert.ok(cExternal && cExternal.startsWith(`${CHECKPOINT_DIR}/${jobId}/chk-${C.id}`), `external path of checkpoint ${C.id}: ${cExternal}`);

    // The checkpoint from before the outage, retained on cancellation, restores.
    const restored = await runToEnd(COUNT_JOB, ['--from-savepoint', cExternal], ['--n', String(N), '--keys', String(KEYS), ...FAST, '--output', outB]);
    assert.equal(restored.code, 0, restored.stderr);
    const restoredJob = JSON.parse(restored.stdout) as JobDetails;
    assert.equal(restoredJob.state, 'FINISHED');
    assert.equal(restoredJob.checkpoints.latest.restored?.id, C.id);
    assert.equal(restoredJob.checkpoints.latest.restored?.external_path, cExternal);
    assertExactlyOnce(outB);
    if (resumed.value.external_path) leftBehind.push(resumed.value.external_path);
  });

  test('beyond tolerable-failed-checkpoints with S3 down the job fails over; with restart-strategy none it fails, naming the checkpoint failure', async () => {
    const out = join(dir, 'beyond');
    // min-pause 1 s: the second failure comes at least 1 s + s3.retry.deadline after the first, time to see the job still RUNNING in between.
    // Too many failed checkpoints are a job failure that goes to the restart strategy (Flink's behaviour); `none` ends the job.
    const jobId = await submit(COUNT_JOB, checkpointing(1, ['execution.checkpointing.min-pause=1s', 'restart-strategy.type=none']), [
      '--n', String(N), '--keys', String(KEYS), ...SLOW, '--output', out,
    ]);
    const before = await poll(jobId, (d) => d.checkpoints.latest.completed ?? undefined, 20_000, 'a completed checkpoint');
    assert.ok(before.value, `a checkpoint completes before the outage (job ${before.details.state}: ${before.details['root-exception']})`);

    await s3.stop();
    let ended;
    try {
      const first = await poll(jobId, (d) => {
        const failed = d.checkpoints.latest.failed;
        return failed && failed.id > before.value!.id ? failed : undefined;
      }, 20_000, 'the first failed checkpoint');
      assert.ok(first.value, `a checkpoint fails while S3 is down (job ${first.details.state}: ${first.details['root-exception']})`);
      log(`first failure while S3 is down: checkpoint ${first.value.id}: ${first.value.failure_message}`);
      assert.equal(first.details.state, 'RUNNING', `one failure is tolerated: ${first.details['root-exception']}`);

      ended = await poll(jobId, () => undefined, 25_000, 'the job to fail');
      assert.equal(ended.details.state, 'FAILED');
      const root = ended.details['root-exception'] ?? '';
      log(`root exception: ${root}`);
      assert.match(root, /checkpoint/i);
      assert.match(root, /Exceeded checkpoint tolerable failure threshold: 2 consecutive checkpoint failures, 1 tolerated/);
      assert.match(root, /execution\.checkpointing\.tolerable-failed-checkpoints/);
      assert.match(root, new RegExp(escapeRegExp(s3.endpoint)), 'the last failure names the endpoint');
      assert.equal(ended.details.exceptions[0]?.message, root, 'the first exception is the checkpoint failure');
      assert.ok(ended.details.checkpoints.counts.failed >= 2);
    } finally {
      await s3.start();
    }
    // `rivulet status --output json` tells the same: the failure and the checkpoint statistics.
    const cli = await status(jobId);
    assert.equal(cli.state, 'FAILED');
    assert.equal(cli['root-exception'], ended.details['root-exception']);
    assert.equal(cli.checkpoints.counts.failed, ended.details.checkpoints.counts.failed);
    const lastCompleted = cli.checkpoints.latest.completed;
    const lastFailed = cli.checkpoints.latest.failed;
    assert.ok(lastCompleted && lastFailed && lastCompleted.id >= before.value.id && lastFailed.id > lastCompleted.id, 'the failures came after the last completed checkpoint');
    assert.equal(lastFailed.status, 'FAILED');
    assert.match(lastFailed.failure_message ?? '', new RegExp(escapeRegExp(s3.endpoint)));
    // RETAIN_ON_CANCELLATION keeps the retained checkpoint of a job that failed on checkpoint failures.
    assert.ok(lastCompleted.external_path);
    assert.equal(await snapshotStorage(lastCompleted.external_path).exists('_metadata'), true, `${lastCompleted.external_path} is kept`);
    leftBehind.push(lastCompleted.external_path);
  });

  test('a checkpoint folder without _metadata, or with corrupted _metadata, is never restored from', async () => {
    const [damaged, corruptedPath] = leftBehind.length >= 2 ? leftBehind : await twoRetainedCheckpoints();
    assert.ok(damaged && corruptedPath);
    for (const path of [damaged, corruptedPath]) {
      assert.equal(await snapshotStorage(path).exists('_metadata'), true, `${path} is a completed checkpoint before it is damaged`);
    }

    // One without _metadata (as if the JobManager died before writing it), one with garbage over it.
    const withoutMetadata = snapshotStorage(damaged);
    await withoutMetadata.delete('_metadata');
    assert.equal(await withoutMetadata.exists('_metadata'), false);
    assert.ok((await withoutMetadata.list('')).length > 0, 'the folder still holds state files');
    const corrupted = snapshotStorage(corruptedPath);
    await corrupted.put('_metadata', Buffer.from('\u0000garbage{"format":"rivulet.checkpoint-metadata"'));

    const jobsBefore = await jobIds();
    const cases: Array<{ path: string; why: RegExp }> = [
      { path: damaged, why: /does not exist|not a completed checkpoint/ },
      { path: corruptedPath, why: /not JSON|corrupted/ },
    ];
    // Independent of each other: run both at once (a CLI run bundles the job first, seconds each on a loaded machine).
    const results = await Promise.all(cases.map(({ path }) =>
      runToEnd(COUNT_JOB, ['--from-savepoint', path], ['--n', String(N), '--keys', String(KEYS), ...FAST, '--output', join(dir, 'never')])));
    cases.forEach(({ path, why }, i) => {
      const result = results[i]!;
      log(`restoring from ${path}: exit ${result.code}: ${result.stderr.trim()}`);
      assert.equal(result.code, 1, `restoring from ${path}: exit 1 (stdout ${result.stdout.slice(0, 300)}; stderr ${result.stderr})`);
      assert.match(result.stderr, new RegExp(`${escapeRegExp(path)}/_metadata`), `the error names the metadata file of ${path}`);
      assert.match(result.stderr, why);
    });
    assert.deepEqual(await jobIds(), jobsBefore, 'no job was started from a broken snapshot');
    assert.equal(existsSync(join(dir, 'never')), false, 'nothing ran');
  });

  test('a savepoint with state of an operator the job does not have: refused naming the operator, restored with --allow-non-restored-state', async () => {
    const out = join(dir, 'renamed');
    const savepoints = join(dir, 'savepoints');
    const jobId = await submit(COUNT_JOB, [], ['--n', String(N), '--keys', String(KEYS), ...SLOW, '--output', out]);
    await poll(jobId, (d) => (d.vertices.every((v) => (v.tasks['RUNNING'] ?? 0) > 0) ? true : undefined), 20_000, 'every task running');
    await new Promise((r) => setTimeout(r, 1000)); // let some records through first
    const stopped = await runCli(['stop', jobId, '--savepoint', savepoints, '--jobmanager', jm.rpcAddress, '--output', 'json'], { timeoutMs: 30_000 });
    assert.equal(stopped.code, 0, stopped.stderr);
    const { savepointPath } = JSON.parse(stopped.stdout) as { savepointPath: string };
    assert.ok(savepointPath.startsWith(savepoints), savepointPath);
    const finished = await poll(jobId, () => undefined, 20_000, 'the stopped job to finish');
    assert.equal(finished.details.state, 'FINISHED');

    const beforeRestore = visibleCounts(out);
    const upToSavepoint = new Map([...beforeRestore].map(([k, list]) => [k, list.length]));
    const recordsBefore = [...upToSavepoint.values()].reduce((a, b) => a + b, 0);
    assert.ok(recordsBefore > 0 && recordsBefore < N, `the savepoint was taken mid-run (${recordsBefore} of ${N} records committed)`);
    for (const [key, list] of beforeRestore) assertSameCounts(key, list, range(1, list.length));

    const jobsBefore = await jobIds();
    // The same job, except that the keyed count has the uid "counts-v2".
    const renamed = ['--n', String(N), '--keys', String(KEYS), ...FAST, '--count-uid', 'counts-v2', '--output', out];
    const refused = await runToEnd(COUNT_JOB, ['--from-savepoint', savepointPath], renamed);
    log(`restoring into a job without "counts": exit ${refused.code}: ${refused.stderr.trim()}`);
    assert.equal(refused.code, 1, `refused: ${refused.stderr}`);
    assert.match(refused.stderr, /operator "counts"/, 'the error names the operator without a home');
    assert.match(refused.stderr, /--allow-non-restored-state/);
    assert.match(refused.stderr, new RegExp(escapeRegExp(savepointPath)), 'the error names the savepoint');
    assert.deepEqual(await jobIds(), jobsBefore, 'no job was started');
    assert.deepEqual(visibleCounts(out), beforeRestore, 'the output is untouched');

    const allowed = await runToEnd(COUNT_JOB, ['--from-savepoint', savepointPath, '--allow-non-restored-state'], renamed);
    assert.equal(allowed.code, 0, allowed.stderr);
    const restoredJob = JSON.parse(allowed.stdout) as JobDetails;
    assert.equal(restoredJob.state, 'FINISHED');
    assert.equal(restoredJob.checkpoints.latest.restored?.external_path, savepointPath);
    assert.equal(restoredJob.checkpoints.latest.restored?.is_savepoint, true);

    // The source ("numbers") and the sink ("sink") restored: every record is
    // in the output exactly once. The count ("counts-v2") started empty: after
    // the savepoint each key counts from 1 again.
    const after = visibleCounts(out);
    const total = [...after.values()].reduce((a, list) => a + list.length, 0);
    assert.equal(total, N, 'the source resumed at its savepoint position: no record twice, none lost');
    for (let k = 0; k < KEYS; k++) {
      const key = `k${k}`;
      const a = upToSavepoint.get(key) ?? 0;
      assertSameCounts(key, after.get(key) ?? [], [...range(1, a), ...range(1, N / KEYS - a)]);
    }
  });
});
