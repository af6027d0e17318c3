import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  REPO_ROOT,
  runCli,
  startCluster,
  s3rverJobArguments,
  startS3Server,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedCluster,
  type StartedS3Server,
} from '@rivulet/testing';
import { visibleFiles } from '../harness/local-files.js';
import { objectKeys, objectLines, s3rverClient } from '../harness/s3-objects.js';

/**
 * The FileSink end to end (fixtures/file-sink-count-job.ts, bundled by
 * `rivulet run`): a keyed running count written as JSON lines, exactly once,
 * on a cluster of two TaskManagers with two slots — to S3 (a real s3rver)
 * and to file://, each through a kill -9 of a TaskManager with checkpoints
 * on: after the restart, the committed part files hold, for every key, the
 * counts 1..total each once. And a missing bucket fails the job with an
 * error naming the FileSink and the bucket.
 */
const JOB = join(REPO_ROOT, 'packages', 'connector-files', 'test', 'fixtures', 'file-sink-count-job.ts');
const BUCKET = 'output';
const RECORDS = 6000;
const KEYS = 7;
const dir = mkdtempSync(join(tmpdir(), 'rivulet-file-sink-e2e-'));
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
let cluster: StartedCluster;
let s3: StartedS3Server;
let client: S3Client;
let settings: string[];
let replacements = 0;

interface Details {
  state: string;
  'root-exception': string | null;
  restarts: { numRestarts: number };
  vertices: { subtasks: { state: string; taskmanager: string | null }[] }[];
  checkpoints: { counts: { completed: number } };
}

const details = async (jobId: string): Promise<Details> => (await (await fetch(`${cluster.jobManager.restUrl}/jobs/${jobId}`)).json()) as Details;

before(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  client = s3rverClient(s3);
  settings = [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`];
  cluster = await startCluster({ taskManagers: 2, slots: 2, set: settings });
});

after(async () => {
  await stopAllProcesses();
  client?.destroy();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function submit(path: string, jobSettings: readonly string[], args: readonly string[] = []): Promise<string> {
  const result = await runCli([
    'run', JOB, '--jobmanager', cluster.jobManager.rpcAddress, '--detached', '--output', 'json', '--parallelism', '2',
    ...jobSettings.flatMap((setting) => ['--set', setting]),
    '--', '--path', path, '--records', String(RECORDS), '--keys', String(KEYS),
    ...s3rverJobArguments(s3), ...args,
  ], { timeoutMs: 60_000 }); // bundling and submitting take seconds on a busy machine
  assert.equal(result.code, 0, `rivulet run exited ${result.code}: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

async function jobEnd(jobId: string, timeoutMs: number): Promise<Details> {
  return waitFor(async () => {
    const d = await details(jobId);
    return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
  }, { timeoutMs, what: `job ${jobId} to end` });
}

/** For every key, the counts 1..total each once (total: the key's share of RECORDS). */
function assertCountsExactlyOnce(lines: readonly string[]): void {
  const counts = new Map<string, number[]>();
  for (const line of lines) {
    const { key, count } = JSON.parse(line) as { key: string; count: number };
    counts.set(key, [...(counts.get(key) ?? []), count]);
  }
  assert.equal(counts.size, KEYS, `${counts.size} keys in the committed output`);
  for (const [key, values] of counts) {
    const total = Math.floor(RECORDS / KEYS) + (Number(key.slice(1)) < RECORDS % KEYS ? 1 : 0);
    assert.deepEqual([...values].sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i + 1), `key ${key}: the counts 1..${total} each once (${values.length} lines)`);
  }
}

/** Runs the count job to `path`, kills the TaskManager of subtask 0 once two checkpoints completed and something was committed, and waits for the end. */
async function runThroughKill(path: string, committedLines: () => Promise<number>): Promise<Details> {
  const jobId = await submit(path, ['execution.checkpointing.interval=300ms', 'restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.delay=200ms'], ['--pause-every', '10', '--pause-ms', '10']);
  const running = await waitFor(async () => {
    const d = await details(jobId);
    if (d.state === 'FINISHED' || d.state === 'FAILED') throw new Error(`job ${d.state} before the kill: ${d['root-exception']}`);
    return d.checkpoints.counts.completed >= 2 && d.vertices[0]?.subtasks[0]?.taskmanager && (await committedLines()) > 0 ? d : undefined;
  }, { timeoutMs: 30_000, intervalMs: 50, what: 'two completed checkpoints and committed part files' });
  const host = running.vertices[0]!.subtasks[0]!.taskmanager!;
  const victim = cluster.taskManagers.find((tm) => tm.resourceId === host) ?? (await findReplacement(host));
  victim.daemon.signal('SIGKILL');
  await victim.daemon.exited;
  // The other TaskManager's two slots run the restarted job; the replacement keeps two TaskManagers for the next kill.
  replacements += 1;
  const [end, replacement] = await Promise.all([
    jobEnd(jobId, 60_000),
    startTaskManager(cluster.jobManager.rpcAddress, { slots: 2, name: `tm-replacement-${replacements}`, set: settings }),
  ]);
  started.push(replacement);
  assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
  assert.ok(end.restarts.numRestarts >= 1, 'the job restarted after the kill');
  return end;
}

const started: Awaited<ReturnType<typeof startTaskManager>>[] = [];
async function findReplacement(host: string): Promise<Awaited<ReturnType<typeof startTaskManager>>> {
  const tm = started.find((t) => t.resourceId === host);
  assert.ok(tm, `subtask 0 runs on a TaskManager this test started (${host})`);
  return tm;
}

describe('FileSink through a cluster', { timeout: 240_000 }, () => {
  test('JSON lines to S3, exactly once through a kill -9 of a TaskManager', async () => {
    const prefix = 'counts';
    await runThroughKill(`s3://${BUCKET}/${prefix}`, async () => (await objectKeys(client, BUCKET, prefix)).length);
    const keys = await objectKeys(client, BUCKET, prefix);
    for (const key of keys) assert.match(key, /^counts\/\d{4}-\d{2}-\d{2}--\d{2}\/part-[0-9a-f-]{36}-[01]-\d+$/, 'hourly buckets, Flink-style part names');
    assertCountsExactlyOnce(await objectLines(client, BUCKET, prefix));
  });

  test('the same job to file://, exactly once through a kill -9 of a TaskManager', async () => {
    const output = join(dir, 'counts');
    await runThroughKill(`file://${output}`, async () => visibleFiles(output).length);
    const lines = visibleFiles(output).flatMap((name) => readFileSync(join(output, name), 'utf8').split('\n').filter((line) => line !== ''));
    assertCountsExactlyOnce(lines);
  });

  test('a missing bucket fails the job with an error naming the FileSink and the bucket', async () => {
    const jobId = await submit('s3://no-such-bucket/counts', ['restart-strategy.type=none']);
    const end = await jobEnd(jobId, 30_000);
    assert.equal(end.state, 'FAILED');
    assert.match(end['root-exception'] ?? '', /FileSink \(s3:\/\/no-such-bucket\/counts\): bucket "no-such-bucket" does not exist at S3 endpoint http:\/\/127\.0\.0\.1:\d+/);
  });
});
