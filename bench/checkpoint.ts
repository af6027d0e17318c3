import { randomFillSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startS3Server, type StartedJobManager, type StartedS3Server } from '@rivulet/testing';
import {
  cancelJob,
  checkpointStatistics,
  describeDaemon,
  median,
  s3CheckpointSettings,
  sleep,
  startConfiguredCluster,
  submitDetached,
  takeMaxEventLoopLagMs,
  type BenchCluster,
  type CheckpointEntry,
} from './lib/checkpoint-cluster.js';
import { stopAllProcesses } from './lib/cluster-job.js';
import { rawS3, type RawS3 } from './lib/raw-s3-put.js';
import { printReport } from './lib/report.js';
import { measureSnapshotCost } from './lib/snapshot-cost.js';

/**
 * A job holding ~100 MB of keyed state (1M keys x 100-byte values,
 * parallelism 2 on 2 TaskManagers) checkpoints to S3 on a real s3rver
 * process; the end-to-end duration of several checkpoints (REST
 * `GET /jobs/:id/checkpoints`, Flink's end_to_end_duration) against a raw
 * PutObject of the same number of bytes to the same endpoint, taken right
 * after each checkpoint, in the gap `min-pause` keeps free of checkpoints.
 * Target (issue 17): median checkpoint / median raw PutObject <= 1.2 (it was 1.5).
 */
const KEYS = Number(process.env['BENCH_KEYS'] ?? 1_000_000);
const VALUE_BYTES = Number(process.env['BENCH_VALUE_BYTES'] ?? 100);
const SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 5);
/** Records/s per subtask once the state is built; 0: the job runs flat out (see docs/benchmarks.md). */
const PACE = Number(process.env['BENCH_PACE'] ?? 0);
const MIN_PAUSE_MS = Number(process.env['BENCH_MIN_PAUSE_MS'] ?? 12_000);
const BUCKET = 'bench';
const MB = 1e6;

interface Sample {
  readonly checkpointId: number;
  readonly checkpointMs: number;
  readonly stateBytes: number;
  readonly rawPutMs: number;
  readonly rawTwoPutsMs: number;
  /** Longest TaskManager event-loop stall (max over both) in the window of the checkpoint, and of the raw puts. */
  readonly tmStallCheckpointMs: number;
  readonly tmStallRawPutsMs: number;
  /** From the TaskManagers' `snapshot written` debug lines: the slower subtask's asynchronous part and its encoding CPU time. */
  readonly asyncPartMs: number | null;
  readonly encodeMs: number | null;
  /** Of the slower subtask's asynchronous part: waiting for uploads, and yielding to the task. */
  readonly uploadWaitMs: number | null;
  readonly yieldMs: number | null;
}

function medianOf(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : median(known);
}

/** The slowest subtask's `snapshot written` figures for checkpoint `id` (debug log of the persister). */
function asyncFigures(cluster: BenchCluster, id: number): Pick<Sample, 'asyncPartMs' | 'encodeMs' | 'uploadWaitMs' | 'yieldMs'> {
  const lines = cluster.taskManagers.flatMap((tm) => tm.daemon.logs).filter((l) => l.msg === 'snapshot written' && l['checkpointId'] === id);
  const slowest = lines.sort((a, b) => Number(b['asyncMs']) - Number(a['asyncMs']))[0];
  const figure = (name: string): number | null => (slowest === undefined ? null : Number(slowest[name]));
  return { asyncPartMs: figure('asyncMs'), encodeMs: figure('encodeMs'), uploadWaitMs: figure('uploadWaitMs'), yieldMs: figure('yieldMs') };
}

/** Waits for a completed checkpoint newer than `afterId`; throws on a failed one. */
async function nextCompleted(jm: StartedJobManager, jobId: string, afterId: number, timeoutMs: number): Promise<CheckpointEntry> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const stats = await checkpointStatistics(jm, jobId);
    const newer = stats.history.filter((c) => c.id > afterId && !c.is_savepoint).sort((a, b) => a.id - b.id);
    const failed = newer.find((c) => c.status === 'FAILED');
    if (failed) throw new Error(`checkpoint ${failed.id} failed: ${failed.failure_message ?? '?'}`);
    const done = newer.find((c) => c.status === 'COMPLETED');
    if (done) return done;
    await sleep(50);
  }
  throw new Error(`no checkpoint completed after ${afterId} within ${timeoutMs} ms`);
}

/** Waits until two consecutive checkpoints have the same size, at least the raw bytes of the values. */
async function waitForFullState(jm: StartedJobManager, jobId: string): Promise<CheckpointEntry> {
  let previous = await nextCompleted(jm, jobId, 0, 300_000);
  for (;;) {
    const current = await nextCompleted(jm, jobId, previous.id, 300_000);
    if (current.state_size >= 0.9 * KEYS * VALUE_BYTES && Math.abs(current.state_size - previous.state_size) <= current.state_size * 0.001) return current;
    process.stderr.write(`state building: checkpoint ${current.id} ${(current.state_size / MB).toFixed(1)} MB in ${current.end_to_end_duration} ms\n`);
    previous = current;
  }
}

/** One PutObject of all the bytes, then two concurrent PutObjects of half each (as two subtasks write). */
async function rawPuts(raw: RawS3, body: Uint8Array, round: number): Promise<{ one: number; two: number }> {
  const one = await raw.put(`raw/${round}/all`, body);
  const half = body.byteLength >> 1;
  const started = process.hrtime.bigint();
  await Promise.all([raw.put(`raw/${round}/half-0`, body.subarray(0, half)), raw.put(`raw/${round}/half-1`, body.subarray(half))]);
  const two = Number(process.hrtime.bigint() - started) / 1e6;
  // One at a time: s3rver removes emptied folders, and concurrent deletes in one folder race there (HTTP 500).
  for (const key of [`raw/${round}/all`, `raw/${round}/half-0`, `raw/${round}/half-1`]) await raw.delete(key);
  return { one, two };
}

async function main(): Promise<void> {
  let s3: StartedS3Server | undefined;
  let raw: RawS3 | undefined;
  let cluster: BenchCluster | undefined;
  try {
    s3 = await startS3Server({ buckets: [BUCKET] });
    raw = rawS3(s3, { bucket: BUCKET });
    // Default heartbeat.timeout (5 s): the synchronous part of a snapshot is O(key groups) now, so
    // a checkpoint must not make a TaskManager miss heartbeats (it did at 0.8-8 s stalls before).
    // log.level=debug: the persister's `snapshot written` lines give the asynchronous part's figures.
    const settings = [...s3CheckpointSettings(s3, BUCKET, 'checkpoints'), 'log.level=debug'];
    const jm = (cluster = await startConfiguredCluster(2, settings));
    const maxStall = async (): Promise<number> => Math.max(...(await Promise.all(jm.taskManagers.map(takeMaxEventLoopLagMs))));
    await rawPuts(raw, randomFillSync(new Uint8Array(16 * 1024 * 1024)), -1); // warm-up: connections, JIT

    const jobId = await submitDetached(jm, 'checkpoint-job', 2, ['--keys', String(KEYS), '--value-bytes', String(VALUE_BYTES), '--pace', String(PACE)], [
      'execution.checkpointing.interval=1s',
      `execution.checkpointing.min-pause=${MIN_PAUSE_MS}ms`,
      'execution.checkpointing.timeout=5min',
    ]);
    const full = await waitForFullState(jm, jobId);
    process.stderr.write(`state built: checkpoint ${full.id} ${(full.state_size / MB).toFixed(1)} MB in ${full.end_to_end_duration} ms\n`);
    // Headroom: the state grows a little as counts pass 127 (one more byte each in msgpack).
    const body = randomFillSync(new Uint8Array(Math.ceil(full.state_size * 1.1)));

    const samples: Sample[] = [];
    const overlapping: number[] = [];
    let last = full;
    let rawEndedAt = 0;
    await maxStall(); // resets the windows
    while (samples.length < SAMPLES) {
      const checkpoint = await nextCompleted(jm, jobId, last.id, 120_000);
      last = checkpoint;
      if (checkpoint.trigger_timestamp < rawEndedAt) {
        // Triggered while the previous raw puts ran: neither is comparable; take the next one.
        overlapping.push(checkpoint.id);
        samples.pop();
        continue;
      }
      const tmStallCheckpointMs = await maxStall();
      const { one, two } = await rawPuts(raw, body.subarray(0, checkpoint.state_size), checkpoint.id);
      rawEndedAt = Date.now();
      const tmStallRawPutsMs = await maxStall();
      samples.push({
        checkpointId: checkpoint.id,
        checkpointMs: checkpoint.end_to_end_duration,
        stateBytes: checkpoint.state_size,
        rawPutMs: Math.round(one),
        rawTwoPutsMs: Math.round(two),
        tmStallCheckpointMs,
        tmStallRawPutsMs,
        ...asyncFigures(jm, checkpoint.id),
      });
      process.stderr.write(
        `checkpoint ${checkpoint.id}: ${checkpoint.end_to_end_duration} ms (TaskManager stall ${tmStallCheckpointMs} ms), ` +
          `raw put ${Math.round(one)} ms, two half puts ${Math.round(two)} ms (stall ${tmStallRawPutsMs} ms), ` +
          `async part ${samples.at(-1)!.asyncPartMs} ms (encoding ${samples.at(-1)!.encodeMs} ms, ` +
          `waiting for uploads ${samples.at(-1)!.uploadWaitMs} ms, yielding ${samples.at(-1)!.yieldMs} ms)\n`,
      );
    }
    // The last raw puts must not have overlapped the next checkpoint either.
    const next = await nextCompleted(jm, jobId, last.id, 120_000);
    if (next.trigger_timestamp < rawEndedAt) overlapping.push(next.id);
    const allCounts = (await checkpointStatistics(jm, jobId)).counts;
    await cancelJob(jm, jobId);
    // Same run, cluster idle: the CPU cost of one subtask's share of the state, on one core.
    const snapshotCost = measureSnapshotCost(Math.round(KEYS / 2), Math.max(8, VALUE_BYTES - 16));

    const stateBytes = median(samples.map((s) => s.stateBytes));
    const checkpointMs = median(samples.map((s) => s.checkpointMs));
    const rawPutMs = median(samples.map((s) => s.rawPutMs));
    const rawTwoPutsMs = median(samples.map((s) => s.rawTwoPutsMs));
    const ratio = checkpointMs / rawPutMs;
    printReport({
      bench: 'checkpoint',
      figures: {
        keys: KEYS,
        valueBytes: VALUE_BYTES,
        parallelism: 2,
        taskManagers: 2,
        storage: 's3 (s3rver process)',
        paceRecordsPerSecondPerSubtask: PACE,
        stateBytes,
        stateMB: Number((stateBytes / MB).toFixed(1)),
        checkpointMsMedian: checkpointMs,
        checkpointMBps: Number((stateBytes / MB / (checkpointMs / 1000)).toFixed(1)),
        rawPutMsMedian: rawPutMs,
        rawPutMBps: Number((stateBytes / MB / (rawPutMs / 1000)).toFixed(1)),
        rawTwoHalfPutsMsMedian: rawTwoPutsMs,
        rawTwoHalfPutsMBps: Number((stateBytes / MB / (rawTwoPutsMs / 1000)).toFixed(1)),
        tmStallCheckpointMsMedian: median(samples.map((s) => s.tmStallCheckpointMs)),
        tmStallRawPutsMsMedian: median(samples.map((s) => s.tmStallRawPutsMs)),
        asyncPartMsMedian: medianOf(samples.map((s) => s.asyncPartMs)),
        encodeMsMedian: medianOf(samples.map((s) => s.encodeMs)),
        uploadWaitMsMedian: medianOf(samples.map((s) => s.uploadWaitMs)),
        yieldMsMedian: medianOf(samples.map((s) => s.yieldMs)),
        snapshotCostOneSubtaskInProcess: snapshotCost,
        samples,
        overlappingDiscarded: overlapping,
        checkpointCounts: allCounts,
      },
      ratios: {
        checkpointOverRawPut: Number(ratio.toFixed(3)),
        checkpointOverRawPut_medianOfPairs: Number(median(samples.map((s) => s.checkpointMs / s.rawPutMs)).toFixed(3)),
        checkpointOverTwoHalfPuts: Number((checkpointMs / rawTwoPutsMs).toFixed(3)),
      },
      targets: { checkpointOverRawPut: { target: '<= 1.2', met: ratio <= 1.2 } },
    });
  } catch (err) {
    for (const daemon of [cluster?.daemon, ...(cluster?.taskManagers ?? []).map((tm) => tm.daemon)]) {
      if (daemon) process.stderr.write(`${describeDaemon(daemon)}\n`);
    }
    throw err;
  } finally {
    raw?.close();
    await stopAllProcesses();
    await s3?.close();
    if (cluster) rmSync(cluster.tmpDir, { recursive: true, force: true });
  }
}

await main();
