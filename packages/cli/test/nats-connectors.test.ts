import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import {
  REPO_ROOT,
  runCli,
  startCluster,
  startNatsServer,
  stopAllProcesses,
  waitFor,
  type StartedCluster,
  type StartedNatsServer,
} from '@rivulet/testing';

/**
 * The NATS connectors end to end (fixtures/nats-pipeline-job.ts): events from
 * a JetStream stream, in 4 splits (partition subjects), through a keyed
 * running count into another stream with the exactly-once NATS sink, on a
 * cluster of 2 TaskManagers with 2 slots and a real nats-server. Exactly
 * once shows in the output stream: for every key, the counts 1..total each
 * appear once — also when a TaskManager is killed mid-stream.
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'nats-pipeline-job.ts');
const KEYS = 7;
const PARTITIONS = ['in.0', 'in.1', 'in.2', 'in.3'];
const dir = mkdtempSync(join(tmpdir(), 'rivulet-nats-connectors-'));
let nats: StartedNatsServer;
let cluster: StartedCluster;
let connection: NatsConnection;
let manager: JetStreamManager;
let client: JetStreamClient;
let runs = 0;

interface Details {
  state: string;
  'root-exception': string | null;
  restarts?: { numRestarts: number };
  checkpoints: { counts: { completed: number } };
}

const details = async (jobId: string): Promise<Details> => (await (await fetch(`${cluster.jobManager.restUrl}/jobs/${jobId}`)).json()) as Details;

before(async () => {
  nats = await startNatsServer();
  connection = await connect({ servers: nats.endpoint });
  manager = await jetstreamManager(connection);
  client = jetstream(connection);
  cluster = await startCluster({ taskManagers: 2, slots: 2, set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`] });
});

after(async () => {
  await stopAllProcesses();
  await connection?.close();
  await nats?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh input stream with `n` events (key k(n mod KEYS)) over the partition subjects, and an empty output stream. */
async function streams(n: number): Promise<{ input: string; output: string; prefix: string }> {
  runs += 1;
  const input = `EVENTS${runs}`;
  const output = `COUNTS${runs}`;
  const prefix = `counts${runs}`;
  await manager.streams.add({ name: input, subjects: PARTITIONS.map((p) => `${p}.r${runs}`) });
  await manager.streams.add({ name: output, subjects: [`${prefix}.>`] });
  const acks = [];
  for (let i = 0; i < n; i += 1) {
    acks.push(client.publish(`${PARTITIONS[i % PARTITIONS.length]}.r${runs}`, JSON.stringify({ key: `k${i % KEYS}`, n: i })));
    if (acks.length === 500) await Promise.all(acks.splice(0));
  }
  await Promise.all(acks);
  return { input, output, prefix };
}

async function submit(s: { input: string; output: string; prefix: string }, jobSettings: readonly string[], args: readonly string[] = [], runOptions: readonly string[] = ['--parallelism', '2']): Promise<string> {
  const result = await runCli([
    'run', JOB, '--jobmanager', cluster.jobManager.rpcAddress, '--detached', '--output', 'json', ...runOptions,
    ...jobSettings.flatMap((setting) => ['--set', setting]),
    '--', '--servers', nats.endpoint, '--input-stream', s.input, '--subjects', PARTITIONS.map((p) => `${p}.r${runs}`).join(','),
    '--output-stream', s.output, '--output-prefix', s.prefix, ...args,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

async function jobEnd(jobId: string, timeoutMs: number): Promise<Details> {
  return waitFor(async () => {
    const d = await details(jobId);
    return ['FINISHED', 'FAILED', 'CANCELED'].includes(d.state) ? d : undefined;
  }, { timeoutMs, what: `job ${jobId} to end` });
}

/** The output stream's counts per key, in stream order. */
async function outputCounts(stream: string): Promise<Map<string, number[]>> {
  const total = (await manager.streams.info(stream)).state.messages;
  const counts = new Map<string, number[]>();
  if (total === 0) return counts;
  const consumer = await client.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  let seen = 0;
  for await (const message of await consumer.consume({ max_messages: 1000 })) {
    const { key, count } = message.json<{ key: string; count: number }>();
    counts.set(key, [...(counts.get(key) ?? []), count]);
    if (++seen === total) break;
  }
  await consumer.delete().catch(() => undefined);
  return counts;
}

function assertExactlyOnce(counts: Map<string, number[]>, n: number): void {
  assert.equal(counts.size, KEYS, `${counts.size} keys in the output`);
  for (const [key, values] of counts) {
    const total = Math.floor(n / KEYS) + (Number(key.slice(1)) < n % KEYS ? 1 : 0);
    const sorted = [...values].sort((a, b) => a - b);
    assert.deepEqual(sorted, Array.from({ length: total }, (_, i) => i + 1), `key ${key}: the counts 1..${total} each once (got ${values.length} counts)`);
  }
}

describe('NATS source and sink through a cluster', { timeout: 240_000 }, () => {
  test('a bounded NATS stream through a keyed count into an exactly-once NATS sink: every count once', async () => {
    const n = 3000;
    const s = await streams(n);
    const jobId = await submit(s, ['execution.checkpointing.interval=300ms'], ['--pause-every', '100', '--pause-ms', '5']);
    const end = await jobEnd(jobId, 90_000);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.ok(end.checkpoints.counts.completed >= 1, 'checkpoints completed mid-stream');
    assertExactlyOnce(await outputCounts(s.output), n);
  });

  test('stop with a savepoint mid-stream, restore at parallelism 3: the 4 splits redistributed, no event read twice or skipped', async () => {
    const n = 8000;
    const s = await streams(n);
    const settings = ['execution.checkpointing.interval=300ms'];
    const pace = ['--pause-every', '10', '--pause-ms', '10'];
    const jobId = await submit(s, settings, pace);
    await waitFor(async () => {
      const d = await details(jobId);
      if (d.state !== 'RUNNING' && d.state !== 'CREATED') throw new Error(`job is ${d.state}: ${d['root-exception'] ?? ''}`);
      return (await manager.streams.info(s.output)).state.messages > 0;
    }, { timeoutMs: 60_000, what: 'a first commit' });
    const stop = await runCli(['stop', jobId, '--savepoint', join(dir, 'savepoints'), '--jobmanager', cluster.jobManager.rpcAddress, '--output', 'json'], { timeoutMs: 60_000 });
    assert.equal(stop.code, 0, stop.stderr);
    const savepoint = (JSON.parse(stop.stdout) as { savepointPath: string }).savepointPath;
    const before = (await manager.streams.info(s.output)).state.messages;
    assert.ok(before > 0 && before < n, `stopped mid-stream (${before} of ${n} counts written)`);
    const restored = await submit(s, settings, pace, ['--parallelism', '3', '--from-savepoint', savepoint]);
    const end = await jobEnd(restored, 120_000);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assertExactlyOnce(await outputCounts(s.output), n);
  });

  test('a TaskManager killed mid-stream: after the restart every count is still in the output exactly once', async () => {
    const n = 8000;
    const s = await streams(n);
    const jobId = await submit(s, ['execution.checkpointing.interval=300ms', 'restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.delay=200ms'], [
      '--pause-every', '50', '--pause-ms', '10',
    ]);
    await waitFor(async () => {
      const d = await details(jobId);
      if (d.state !== 'RUNNING' && d.state !== 'CREATED') throw new Error(`job is ${d.state}: ${d['root-exception'] ?? ''}`);
      return d.checkpoints.counts.completed >= 2 && (await manager.streams.info(s.output)).state.messages > 0;
    }, { timeoutMs: 60_000, what: 'two checkpoints and a first commit' });
    const victim = cluster.taskManagers[1]!;
    victim.daemon.signal('SIGKILL');
    const end = await jobEnd(jobId, 150_000);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assert.ok((end.restarts?.numRestarts ?? 0) >= 1, 'the job restarted after the kill');
    assertExactlyOnce(await outputCounts(s.output), n);
  });
});
