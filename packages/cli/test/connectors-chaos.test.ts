import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import {
  REPO_ROOT,
  chaosSeed,
  runCli,
  seededRandom,
  startCluster,
  startNatsServer,
  s3rverJobArguments,
  startS3Server,
  startTaskManager,
  stopAllProcesses,
  waitFor,
  type StartedCluster,
  type StartedJobManager,
  type StartedNatsServer,
  type StartedS3Server,
  type StartedTaskManager,
} from '@rivulet/testing';
import { describeDifferences, outputDifferences } from './connectors-chaos/output-differences.js';
import { natsStreamRecords, streamMessages } from './connectors-chaos/nats-stream-records.js';
import { PacedPublisher } from './connectors-chaos/paced-publisher.js';
import { faultFreeTotals, type PurchaseTotal } from './connectors-chaos/purchases.js';
import { S3CommittedLines } from './connectors-chaos/s3-committed-lines.js';

/**
 * Chaos with both connectors (issue 14): purchases from a JetStream stream
 * in 4 splits, a running total per user, written exactly once to another
 * JetStream stream (NatsSink EXACTLY_ONCE) and as JSON lines to S3 (FileSink
 * on s3rver) by fixtures/purchase-totals-job.ts at parallelism 4 on 3
 * TaskManagers of 2 slots, checkpoints every 400 ms. While the purchases
 * are still being published, a random TaskManager that runs subtasks is
 * killed with SIGKILL three times, each time after a checkpoint completed
 * since the last recovery; the survivors' 4 slots take the restart and a
 * new TaskManager (the killed one's resource id again, or a spare) restores
 * the spare capacity. Once every total arrived the job is cancelled: the
 * output stream and the committed S3 objects each hold exactly the
 * fault-free output — every user's running totals, computed from the
 * input, each once: nothing lost, nothing duplicated, nothing else.
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'purchase-totals-job.ts');
const PURCHASES = 20_000;
const USERS = 40;
const PUBLISHED_PER_SECOND = 500;
const SUBJECTS = ['purchases.0', 'purchases.1', 'purchases.2', 'purchases.3'];
const BUCKET = 'totals';
const KILLS = 3;
const dir = mkdtempSync(join(tmpdir(), 'rivulet-connectors-chaos-'));
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
let nats: StartedNatsServer;
let s3: StartedS3Server;
let connection: NatsConnection;
let manager: JetStreamManager;
let client: JetStreamClient;
let publisher: PacedPublisher | undefined;
let s3Output: S3CommittedLines | undefined;
let cluster: StartedCluster;
const settings = [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`];
const setUpAt = Date.now();

interface Details {
  state: string;
  'root-exception': string | null;
  exceptions: { message: string; cause: string }[];
  restarts: { numRestarts: number };
  vertices: { subtasks: { state: string; taskmanager: string | null }[] }[];
  checkpoints: { counts: { completed: number } };
}

const details = async (jm: StartedJobManager, jobId: string): Promise<Details> =>
  (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as Details;
const allRunning = (d: Details): boolean => d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.state === 'RUNNING'));

before(async () => {
  [nats, s3, cluster] = await Promise.all([startNatsServer(), startS3Server({ buckets: [BUCKET] }), startCluster({ taskManagers: 3, slots: 2, set: settings })]);
  connection = await connect({ servers: nats.endpoint });
  manager = await jetstreamManager(connection);
  client = jetstream(connection);
});

after(async () => {
  publisher?.stop();
  await publisher?.done.catch(() => undefined);
  await stopAllProcesses();
  await s3Output?.close();
  await connection?.close();
  await nats?.close();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function submit(jm: StartedJobManager): Promise<string> {
  const result = await runCli([
    'run', JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', '--parallelism', '4',
    '--set', 'execution.checkpointing.interval=400ms',
    '--set', 'restart-strategy.type=fixed-delay', '--set', 'restart-strategy.fixed-delay.attempts=20', '--set', 'restart-strategy.fixed-delay.delay=200ms',
    '--', '--servers', nats.endpoint, '--input-stream', 'PURCHASES', '--subjects', SUBJECTS.join(','),
    '--output-stream', 'TOTALS', '--output-prefix', 'totals', '--path', s3Output!.uri,
    ...s3rverJobArguments(s3),
  ], { timeoutMs: 90_000 }); // bundling and submitting take seconds on a busy machine
  assert.equal(result.code, 0, `rivulet run exited ${result.code}: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

describe('connectors under chaos: NATS -> running totals -> NATS and S3, exactly once', { timeout: 400_000 }, () => {
  test('kill -9 a random TaskManager three times while purchases arrive: the output stream and the S3 objects hold exactly the fault-free totals', async (t) => {
    const seed = chaosSeed();
    t.diagnostic(`chaos seed ${seed} (repeat with RIVULET_CHAOS_SEED=${seed})`);
    const random = seededRandom(seed);
    const phases = [`set-up ${((Date.now() - setUpAt) / 1000).toFixed(1)} s`];
    const startedAt = Date.now();
    const phase = (name: string): void => void phases.push(`${name} ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    await manager.streams.add({ name: 'PURCHASES', subjects: SUBJECTS });
    await manager.streams.add({ name: 'TOTALS', subjects: ['totals.>'] });
    s3Output = new S3CommittedLines(s3, `s3://${BUCKET}/purchase-totals`);
    const jm = cluster.jobManager;
    const taskManagers = new Map<string, StartedTaskManager>(cluster.taskManagers.map((tm) => [tm.resourceId, tm]));
    const jobId = await submit(jm);
    phase('submitted');
    publisher = new PacedPublisher(client, PURCHASES, USERS, SUBJECTS, PUBLISHED_PER_SECOND);

    let completedAtRecovery = 0;
    let spares = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      const before = await waitFor(async () => {
        const d = await details(jm, jobId);
        if (d.state !== 'RUNNING' && d.state !== 'CREATED' && d.state !== 'RESTARTING') throw new Error(`seed ${seed}: job ${d.state} before kill ${kill}: ${d['root-exception']}`);
        if (!allRunning(d) || d.checkpoints.counts.completed <= completedAtRecovery) return undefined;
        if (kill === 1 && ((await streamMessages(manager, 'TOTALS')) === 0 || (await s3Output!.objects()).length === 0)) return undefined;
        return d;
      }, { timeoutMs: 90_000, intervalMs: 50, what: `seed ${seed}: all subtasks running and a checkpoint completed before kill ${kill}` });
      await sleep(Math.floor(random() * 400)); // the kill lands anywhere between checkpoints
      const hosts = [...new Set(before.vertices.flatMap((v) => v.subtasks.map((s) => s.taskmanager!)))].sort();
      const victim = hosts[Math.floor(random() * hosts.length)]!;
      const comeBack = random() < 0.5;
      const replacementId = comeBack ? victim : `tm-spare-${++spares}`;
      const killed = taskManagers.get(victim);
      assert.ok(killed, `seed ${seed}: subtasks run on ${victim}, a TaskManager this test started`);
      killed.daemon.signal('SIGKILL');
      await killed.daemon.exited;
      taskManagers.delete(victim);
      phase(`kill ${kill} (${victim}, ${publisher.count} purchases published)`);
      t.diagnostic(`kill ${kill}: ${victim} (kill -9), replaced by ${comeBack ? 'the same resource id' : replacementId}`);
      const [replacement] = await Promise.all([
        startTaskManager(jm.rpcAddress, { slots: 2, name: replacementId, set: [...settings, `taskmanager.resource-id=${replacementId}`], startTimeoutMs: 90_000 }),
        waitFor(async () => {
          const d = await details(jm, jobId);
          if (d.state === 'FAILED') throw new Error(`seed ${seed}: job failed after kill ${kill}: ${d['root-exception']}`);
          if (d.restarts.numRestarts <= before.restarts.numRestarts || !allRunning(d)) return undefined;
          completedAtRecovery = d.checkpoints.counts.completed;
          return d;
        }, { timeoutMs: 90_000, intervalMs: 50, what: `seed ${seed}: the job running again after kill ${kill}` }),
      ]);
      taskManagers.set(replacement.resourceId, replacement);
      phase(`running again after kill ${kill}`);
    }

    publisher.hurry();
    await publisher.done;
    phase('all purchases published');
    await waitFor(async () => {
      const d = await details(jm, jobId);
      if (d.state !== 'RUNNING' && d.state !== 'RESTARTING') throw new Error(`seed ${seed}: job ${d.state}: ${d['root-exception']}`);
      return (await streamMessages(manager, 'TOTALS')) >= PURCHASES && (await s3Output!.lines()).length >= PURCHASES;
    }, { timeoutMs: 120_000, intervalMs: 1000, what: `seed ${seed}: ${PURCHASES} totals in the output stream and in S3` });
    phase('every total committed');
    const cancelled = await fetch(`${jm.restUrl}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' });
    assert.ok(cancelled.ok, `cancel answered ${cancelled.status}: ${await cancelled.text()}`);
    const end = await waitFor(async () => {
      const d = await details(jm, jobId);
      return d.state === 'CANCELED' ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the job CANCELED' });
    phase('cancelled');

    assert.ok(end.restarts.numRestarts >= KILLS, `seed ${seed}: ${end.restarts.numRestarts} restarts`);
    assert.ok(end.exceptions.some((e) => e.cause === 'taskmanager-lost'), `seed ${seed}: a lost TaskManager is in the exception history`);
    const faultFree = faultFreeTotals(PURCHASES, USERS);
    const inNats = outputDifferences(await natsStreamRecords<PurchaseTotal>(manager, client, 'TOTALS'), faultFree);
    phase('output stream read');
    const inS3 = outputDifferences((await s3Output.lines()).map((line) => JSON.parse(line) as PurchaseTotal), faultFree);
    phase('S3 objects read');
    t.diagnostic(phases.join(', '));
    assert.deepEqual([inNats.records, inNats.missing, inNats.duplicated, inNats.wrong], [PURCHASES, 0, 0, 0], describeDifferences(`seed ${seed}: output stream`, inNats));
    assert.deepEqual([inS3.records, inS3.missing, inS3.duplicated, inS3.wrong], [PURCHASES, 0, 0, 0], describeDifferences(`seed ${seed}: S3 objects`, inS3));
  });
});
