import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { REPO_ROOT, runCli, startNatsServer } from '@rivulet/testing';
import { printReport } from './lib/report.js';
import { startBenchCluster, stopAllProcesses } from './lib/cluster-job.js';
import { rawConsumePublish } from './lib/raw-nats.js';

/**
 * Events/s from a NATS stream through a keyed count into a NATS sink,
 * exactly-once with 1 s checkpoints (bench/jobs/nats-job.ts, 2 TaskManagers
 * of 1 slot, parallelism 2), against a raw JetStream consumer + publisher
 * doing the same in this process (lib/raw-nats.ts), in the same run, on one
 * nats-server (Debian's, file store). Target: >= 70% of the raw figure.
 * The job's figure is from RUNNING to FINISHED (its start, the bounded
 * end and the final checkpoint included); `outputSpanMs`, from the first
 * count stored to the last, shows the pipeline's pace without them.
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const KEYS = 1000;
const PARTITIONS = 4;
/** The sink's guarantee (BENCH_GUARANTEE): EXACTLY_ONCE is the benchmark; the others show what the commit costs. */
const GUARANTEE = process.env['BENCH_GUARANTEE'] ?? 'EXACTLY_ONCE';

async function main(): Promise<void> {
  const nats = await startNatsServer();
  const connection = await connect({ servers: nats.endpoint });
  const manager = await jetstreamManager(connection);
  const js = jetstream(connection);
  const subjects = Array.from({ length: PARTITIONS }, (_, p) => `in.${p}`);
  await manager.streams.add({ name: 'EVENTS', subjects });
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < EVENTS; i += 1) {
    pending.push(js.publish(subjects[i % PARTITIONS]!, JSON.stringify({ key: `k${i % KEYS}`, n: i })));
    if (pending.length === 2000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);

  await manager.streams.add({ name: 'RAW', subjects: ['raw.>'] });
  const rawMs = await rawConsumePublish(connection, { stream: 'EVENTS', subjects, total: EVENTS }, 'raw');

  const jm = await startBenchCluster(2, 1);
  try {
    await manager.streams.add({ name: 'COUNTS', subjects: ['counts.>'] });
    const job = join(REPO_ROOT, 'bench', 'jobs', 'nats-job.ts');
    const result = await runCli([
      'run', job, '--jobmanager', jm.rpcAddress, '-p', '2', '--output', 'json', '--set', 'execution.checkpointing.interval=1s',
      '--', '--servers', nats.endpoint, '--input-stream', 'EVENTS', '--subjects', subjects.join(','), '--output-stream', 'COUNTS', '--output-prefix', 'counts', '--guarantee', GUARANTEE,
    ], { timeoutMs: 600_000 });
    if (result.code !== 0) throw new Error(`bench job nats-job failed: ${result.stderr.trim()}`);
    const details = JSON.parse(result.stdout) as { state: string; timestamps: Record<string, number> };
    const jobMs = details.timestamps['FINISHED']! - details.timestamps['RUNNING']!;
    const state = (await manager.streams.info('COUNTS')).state;
    if (state.messages !== EVENTS) throw new Error(`the job wrote ${state.messages} counts for ${EVENTS} events`);
    // From the first count stored to the last: the pipeline's pace without the job's start and end.
    const first = await manager.streams.getMessage('COUNTS', { seq: state.first_seq });
    const last = await manager.streams.getMessage('COUNTS', { seq: state.last_seq });
    const outputSpanMs = last!.time.getTime() - first!.time.getTime();
    const jobRate = EVENTS / (jobMs / 1000);
    const rawRate = EVENTS / (rawMs / 1000);
    const ratio = Number((jobRate / rawRate).toFixed(3));
    printReport({
      bench: 'nats',
      figures: { guarantee: GUARANTEE, events: EVENTS, keys: KEYS, partitions: PARTITIONS, parallelism: 2, checkpointIntervalMs: 1000, jobMs, outputSpanMs, rawMs: Math.round(rawMs), jobEventsPerSecond: Math.round(jobRate), rawEventsPerSecond: Math.round(rawRate) },
      ratios: { jobOverRaw: ratio, outputSpanOverRaw: Number((rawMs / Math.max(1, outputSpanMs)).toFixed(3)) },
      targets: { jobOverRaw: { target: '>= 0.7', met: ratio >= 0.7 } },
    });
  } finally {
    await stopAllProcesses();
    await connection.close();
    await nats.close();
  }
}

await main();
