import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createCheckpointStorage, loadConfiguration } from '@rivulet/common';
import { REPO_ROOT, runCli, startS3Server, startTaskManager, waitFor, type StartedJobManager, type StartedS3Server, type StartedTaskManager } from '@rivulet/testing';
import { cancelJob, describeDaemon, jobState, median, s3CheckpointSettings, sleep, startConfiguredCluster, submitDetached, type BenchCluster } from './lib/checkpoint-cluster.js';
import { stopAllProcesses } from './lib/cluster-job.js';
import { LatencyProxy } from './lib/latency-proxy.js';
import { rawS3Reader, type RawGetResult, type RawS3Reader } from './lib/raw-s3-get.js';
import { printReport } from './lib/report.js';

/**
 * bench/restore: a job holding ~1 GB of keyed state (100k keys x 10 kB
 * values, parallelism 4 on 4 TaskManagers, one slot each) checkpoints once
 * to S3 on a real s3rver process and is cancelled, the checkpoint retained.
 * The same job is then restored from it (`rivulet run --from-savepoint`)
 * several times, local recovery off so every byte comes from S3. Restore
 * throughput: the bytes of the 4 keyed subtasks' `state restored` log lines
 * over the time from the first subtask's first read to the last subtask's
 * last key group restored (download and decoding, overlapped).
 * Baseline in the same run, interleaved with the restores: raw GetObjects
 * of the same state files from the same endpoint by 4 concurrent readers.
 * Target: restore MB/s >= 0.70 x raw MB/s. BENCH_LATENCY_MS puts a proxy
 * adding that latency to every request in front of s3rver (a remote store's
 * round trip; restores and raw GETs alike).
 * With BENCH_SEQUENTIAL=1 (the default) the TaskManagers are then replaced
 * by ones with `state.restore.concurrency=1` and
 * `state.restore.coalesce-reads=false` (one read per key group, in turn:
 * the path before fast restore) and one more restore is measured.
 */
const KEYS = Number(process.env['BENCH_KEYS'] ?? 100_000);
const VALUE_BYTES = Number(process.env['BENCH_VALUE_BYTES'] ?? 10_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const SEQUENTIAL = (process.env['BENCH_SEQUENTIAL'] ?? '1') !== '0';
const MAX_PARALLELISM = Number(process.env['BENCH_MAX_PARALLELISM'] ?? 128);
/** `state.restore.concurrency` of the TaskManagers for the fast restores. */
const RESTORE_CONCURRENCY = Number(process.env['BENCH_RESTORE_CONCURRENCY'] ?? 4);
/** Latency added to every request to S3 (bench/lib/latency-proxy.ts), for the restores and the raw GETs alike; 0: none. */
const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 0);
const PARALLELISM = 4;
const BUCKET = 'bench';
const PREFIX = 'checkpoints';
const MB = 1e6;
const JOB_ARGS = ['--keys', String(KEYS), '--value-bytes', String(VALUE_BYTES)];
/**
 * The restored job is paced from its first record (100 records/s per
 * subtask): a subtask done restoring does not take the cores from those
 * still restoring (unpaced, the job runs flat out), as nothing runs beside
 * the raw GETs either.
 */
const RESTORED_JOB_ARGS = ['--pace', '100', '--pace-after', '0'];
const OLD_PATH_SETTINGS = ['state.restore.concurrency=1', 'state.restore.coalesce-reads=false'];

interface RestoreRun {
  readonly path: 'fast' | 'sequential';
  readonly bytes: number;
  /** First read of any subtask -> last key group restored of any subtask. */
  readonly windowMs: number;
  readonly mbPerSecond: number;
  /** Per keyed subtask: its own read+restore time, reads and time spent decoding. */
  readonly subtaskMs: readonly number[];
  readonly subtaskReads: readonly number[];
  readonly subtaskDeliverMs: readonly number[];
  readonly rawBefore: RawGetResult;
}

/** Waits for a completed checkpoint holding at least 95% of the keys' values; its id. */
async function fullCheckpoint(jm: StartedJobManager, jobId: string): Promise<number> {
  const wanted = 0.95 * KEYS * VALUE_BYTES;
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const stats = (await (await fetch(`${jm.restUrl}/jobs/${jobId}/checkpoints`)).json()) as { history: { id: number; status: string; state_size: number; failure_message?: string }[] };
    const failed = stats.history.find((c) => c.status === 'FAILED');
    if (failed) throw new Error(`checkpoint ${failed.id} failed: ${failed.failure_message ?? '?'}`);
    const full = stats.history.find((c) => c.status === 'COMPLETED' && c.state_size >= wanted);
    if (full) return full.id;
    await sleep(500);
  }
  throw new Error(`no checkpoint of ${(wanted / MB).toFixed(0)} MB within 10 min`);
}

/** The retained checkpoint a cancelled job's status names. */
async function retainedCheckpoint(jm: StartedJobManager, jobId: string): Promise<string> {
  await waitFor(async () => (await jobState(jm, jobId)) === 'CANCELED', { timeoutMs: 60_000, what: `job ${jobId} CANCELED` });
  const stats = (await (await fetch(`${jm.restUrl}/jobs/${jobId}/checkpoints`)).json()) as { latest?: { completed?: { external_path?: string } } };
  const path = stats.latest?.completed?.external_path;
  if (!path) throw new Error(`job ${jobId} has no retained checkpoint`);
  return path;
}

/** The state files of the checkpoint, as S3 keys in the bucket. */
async function stateFileKeys(s3: Pick<StartedS3Server, 'endpoint' | 'accessKey' | 'secretKey' | 'region'>, checkpoint: string): Promise<string[]> {
  const root = `s3://${BUCKET}/${PREFIX}`;
  const config = loadConfiguration({ flags: Object.fromEntries(s3CheckpointSettings(s3, BUCKET, PREFIX).map((s) => s.split('=') as [string, string])) });
  const storage = createCheckpointStorage(root, config);
  try {
    const folder = checkpoint.slice(root.length + 1);
    const files = (await storage.list(folder)).filter((o) => /\/state-\d+$/.test(o.path));
    if (files.length === 0) throw new Error(`no state files under ${checkpoint}`);
    return files.map((o) => `${PREFIX}/${o.path}`);
  } finally {
    await storage.close();
  }
}

/** Starts the job from `checkpoint`, waits for its keyed subtasks' `state restored` lines, cancels it; the figures. */
async function restoreOnce(jm: StartedJobManager, tms: readonly StartedTaskManager[], checkpoint: string, path: RestoreRun['path'], rawBefore: RawGetResult): Promise<RestoreRun> {
  const from = tms.map((tm) => tm.daemon.logs.length);
  const job = join(REPO_ROOT, 'bench', 'jobs', 'checkpoint-job.ts');
  const result = await runCli(
    ['run', job, '--jobmanager', jm.rpcAddress, '-p', String(PARALLELISM), '--detached', '--output', 'json', '--from-savepoint', checkpoint,
      '--set', `pipeline.max-parallelism=${MAX_PARALLELISM}`, '--', ...JOB_ARGS, ...RESTORED_JOB_ARGS],
    { timeoutMs: 120_000 },
  );
  if (result.code !== 0) throw new Error(`restoring from ${checkpoint} failed: ${result.stderr.trim()}`);
  const jobId = (JSON.parse(result.stdout) as { jobId: string }).jobId;
  const restoredLines = (): Record<string, unknown>[] =>
    tms.flatMap((tm, i) => tm.daemon.logs.slice(from[i])).filter((l) => l.msg === 'state restored' && Number(l['remoteHandles'] ?? 0) + Number(l['localHandles'] ?? 0) > 0);
  const deadline = Date.now() + 600_000;
  while (restoredLines().length < PARALLELISM) {
    const state = await jobState(jm, jobId);
    if (state === 'FAILED' || Date.now() > deadline) throw new Error(`restore of job ${jobId}: ${state}, ${restoredLines().length} of ${PARALLELISM} subtasks restored`);
    await sleep(100);
  }
  await cancelJob(jm, jobId);
  await waitFor(async () => (await jobState(jm, jobId)) === 'CANCELED', { timeoutMs: 60_000, what: `job ${jobId} CANCELED` });
  const lines = restoredLines();
  const ends = lines.map((l) => Date.parse(String(l['time']))); // ISO time of the line: when the last key group was restored
  const starts = lines.map((l, i) => ends[i]! - Number(l['ms']));
  const bytes = lines.reduce((n, l) => n + Number(l['remoteBytes']) + Number(l['localBytes']), 0);
  const windowMs = Math.max(...ends) - Math.min(...starts);
  return {
    path,
    bytes,
    windowMs,
    mbPerSecond: Number((bytes / MB / (windowMs / 1000)).toFixed(1)),
    subtaskMs: lines.map((l) => Number(l['ms'])),
    subtaskReads: lines.map((l) => Number(l['remoteReads']) + Number(l['localReads'])),
    subtaskDeliverMs: lines.map((l) => Number(l['deliverMs'])),
    rawBefore,
  };
}

/** Stops `tms` and starts as many with `settings`; resolves once exactly those are registered. */
async function replaceTaskManagers(jm: BenchCluster, tms: readonly StartedTaskManager[], settings: readonly string[]): Promise<StartedTaskManager[]> {
  const overview = async (): Promise<number> => ((await (await fetch(`${jm.restUrl}/overview`)).json()) as { taskmanagers: number }).taskmanagers;
  await Promise.all(tms.map((tm) => tm.daemon.stop()));
  await waitFor(async () => (await overview()) === 0, { timeoutMs: 60_000, what: 'the TaskManagers gone' });
  const started: StartedTaskManager[] = [];
  for (let i = 0; i < tms.length; i++) started.push(await startTaskManager(jm.rpcAddress, { slots: 1, name: `old-path-tm${i}`, set: [...settings, `taskmanager.tmp.dirs=${jm.tmpDir}`] }));
  await waitFor(async () => (await overview()) === tms.length, { timeoutMs: 30_000, what: `${tms.length} TaskManagers` });
  return started;
}

function describeRun(run: RestoreRun): string {
  return `${run.path} restore: ${(run.bytes / MB).toFixed(0)} MB in ${run.windowMs} ms = ${run.mbPerSecond} MB/s ` +
    `(subtasks ${run.subtaskMs.join('/')} ms, reads ${run.subtaskReads.join('/')}, decoding ${run.subtaskDeliverMs.join('/')} ms); ` +
    `raw GET before: ${run.rawBefore.mbPerSecond} MB/s\n`;
}

async function main(): Promise<void> {
  let s3: StartedS3Server | undefined;
  let raw: RawS3Reader | undefined;
  let cluster: BenchCluster | undefined;
  let tms: StartedTaskManager[] = [];
  let proxy: LatencyProxy | undefined;
  try {
    s3 = await startS3Server({ buckets: [BUCKET] });
    proxy = LATENCY_MS > 0 ? await LatencyProxy.start(s3.port, LATENCY_MS) : undefined;
    const endpoint = proxy ? `http://127.0.0.1:${proxy.port}` : s3.endpoint;
    const server = { endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, region: s3.region };
    raw = rawS3Reader({ ...server, bucket: BUCKET });
    // Local recovery off: every restored byte comes from S3. A slot's heap of 3 GB holds a quarter of the state with room to spare.
    const settings = [...s3CheckpointSettings(server, BUCKET, PREFIX), 'state.backend.local-recovery=false', 'taskmanager.memory.task.heap.size=3g'];
    const fastSettings = [...settings, `state.restore.concurrency=${RESTORE_CONCURRENCY}`];
    cluster = await startConfiguredCluster(PARALLELISM, fastSettings);
    const jm = cluster;
    tms = [...cluster.taskManagers];

    const started = Date.now();
    const buildJob = await submitDetached(jm, 'checkpoint-job', PARALLELISM, JOB_ARGS, [
      'execution.checkpointing.interval=5s',
      'execution.checkpointing.min-pause=5s',
      'execution.checkpointing.timeout=10min',
      'execution.checkpointing.externalized-checkpoint-retention=RETAIN_ON_CANCELLATION',
      `pipeline.max-parallelism=${MAX_PARALLELISM}`,
    ]);
    const checkpointId = await fullCheckpoint(jm, buildJob);
    await cancelJob(jm, buildJob);
    const checkpoint = await retainedCheckpoint(jm, buildJob);
    const keys = await stateFileKeys(server, checkpoint);
    process.stderr.write(`state built in ${Math.round((Date.now() - started) / 1000)} s: checkpoint ${checkpointId}, retained ${checkpoint}, ${keys.length} state files\n`);

    const warmUp = await raw.getAll(keys, PARALLELISM); // s3rver's files into the page cache, connections, JIT
    process.stderr.write(`raw GET warm-up: ${(warmUp.bytes / MB).toFixed(0)} MB in ${warmUp.ms} ms = ${warmUp.mbPerSecond} MB/s\n`);
    const runs: RestoreRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const rawBefore = await raw.getAll(keys, PARALLELISM);
      runs.push(await restoreOnce(jm, tms, checkpoint, 'fast', rawBefore));
      process.stderr.write(describeRun(runs.at(-1)!));
    }
    const rawAfter = await raw.getAll(keys, PARALLELISM);
    process.stderr.write(`raw GET after: ${rawAfter.mbPerSecond} MB/s\n`);
    let sequential: RestoreRun | undefined;
    if (SEQUENTIAL) {
      tms = await replaceTaskManagers(cluster, tms, [...settings, ...OLD_PATH_SETTINGS]);
      sequential = await restoreOnce(jm, tms, checkpoint, 'sequential', await raw.getAll(keys, PARALLELISM));
      process.stderr.write(describeRun(sequential));
    }

    const rawMBps = median([...runs.map((r) => r.rawBefore.mbPerSecond), rawAfter.mbPerSecond]);
    const restoreMBps = median(runs.map((r) => r.mbPerSecond));
    const ratio = restoreMBps / rawMBps;
    printReport({
      bench: 'restore',
      figures: {
        keys: KEYS,
        valueBytes: VALUE_BYTES,
        maxParallelism: MAX_PARALLELISM,
        parallelism: PARALLELISM,
        taskManagers: PARALLELISM,
        storage: 's3 (s3rver process)',
        addedLatencyMs: LATENCY_MS,
        stateFiles: keys.length,
        stateBytes: rawAfter.bytes,
        stateMB: Number((rawAfter.bytes / MB).toFixed(1)),
        restoreConcurrency: RESTORE_CONCURRENCY,
        restoreMBpsMedian: restoreMBps,
        rawParallelGetMBpsMedian: rawMBps,
        rawGetReaders: PARALLELISM,
        runs,
        rawAfter,
        sequentialRestore: sequential ?? null,
      },
      ratios: {
        restoreOverRawParallelGet: Number(ratio.toFixed(3)),
        restoreOverRawParallelGet_medianOfPairs: Number(median(runs.map((r) => r.mbPerSecond / r.rawBefore.mbPerSecond)).toFixed(3)),
        ...(sequential ? { sequentialRestoreOverRawParallelGet: Number((sequential.mbPerSecond / sequential.rawBefore.mbPerSecond).toFixed(3)) } : {}),
        ...(sequential ? { fastOverSequentialRestore: Number((restoreMBps / sequential.mbPerSecond).toFixed(3)) } : {}),
      },
      targets: { restoreOverRawParallelGet: { target: '>= 0.70', met: ratio >= 0.7 } },
    });
  } catch (err) {
    for (const daemon of [cluster?.daemon, ...tms.map((tm) => tm.daemon)]) {
      if (daemon) process.stderr.write(`${describeDaemon(daemon)}\n`);
    }
    throw err;
  } finally {
    raw?.close();
    await stopAllProcesses();
    await proxy?.close();
    await s3?.close();
    if (cluster) rmSync(cluster.tmpDir, { recursive: true, force: true });
  }
}

await main();
