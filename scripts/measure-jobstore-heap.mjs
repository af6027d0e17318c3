#!/usr/bin/env node
// Measures the JobManager's heap while short jobs run one after another:
// with a bounded job store (jobstore.max-capacity) the heap after the last
// job stays where it was once the store was full; without the bound (the
// capacity above the number of jobs) it grows with every job.
//
//   node --expose-gc scripts/measure-jobstore-heap.mjs [--jobs 200] [--capacity 10] [--at 20,50,100,150,200]
//
// The JobManager runs in this process (so its heap can be measured after a
// full GC), one TaskManager with one slot in a child process whose logs are
// dropped (not kept in this process's heap). The job
// (fromSequence(1, 10).map().collect()) is bundled once and submitted over
// gRPC. Prints one JSON object: heapUsed and rss (MB, after gc) per number
// of jobs.
// Build first (pnpm run build).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const root = new URL('../', import.meta.url);
const dist = (path) => new URL(path, root).href;
const { JobManager } = await import(dist('packages/jobmanager/dist/src/index.js'));
const { loadConfiguration, silentLogger, sleep, isTerminalJobStatus } = await import(dist('packages/common/dist/src/index.js'));
const { bundleJob } = await import(dist('packages/cli/dist/src/job/bundle-job.js'));
const { compileJobBundle } = await import(dist('packages/cli/dist/src/job/load-job.js'));
const { JobManagerClient } = await import(dist('packages/cli/dist/src/client.js'));

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    capacity: { type: 'string', default: '10' },
    at: { type: 'string', default: '20,50,100,150,200' },
  },
});
if (typeof globalThis.gc !== 'function') {
  process.stderr.write('run with node --expose-gc\n');
  process.exit(2);
}
const jobs = Number(values.jobs);
const at = new Set(values.at.split(',').map(Number));
const dir = mkdtempSync(join(tmpdir(), 'rivulet-jobstore-heap-'));

const config = loadConfiguration({
  flags: {
    'jobmanager.rpc.port': '0',
    'rest.port': '0',
    'execution.checkpointing.dir': join(dir, 'checkpoints'),
    'jobstore.max-capacity': values.capacity,
  },
});
const jobManager = new JobManager(config, silentLogger());
const { rpcPort } = await jobManager.start();
const address = `127.0.0.1:${rpcPort}`;
const taskManager = spawn(process.execPath, [
  new URL('packages/cli/dist/src/main.js', root).pathname, 'taskmanager', '--host', '127.0.0.1', '--jobmanager', address, '--slots', '1',
  '--rpc-port', '0', '--data-port', '0', '--http-port', '0',
  '-D', `execution.checkpointing.dir=${join(dir, 'checkpoints')}`, '-D', `taskmanager.tmp.dirs=${dir}`,
], { stdio: ['ignore', 'ignore', 'inherit'] });
process.on('exit', () => taskManager.kill('SIGKILL')); // also when a job fails and this script throws
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(1));

const jobPath = new URL('packages/cli/test/fixtures/tiny-collect-job.ts', root).pathname;
const bundle = await bundleJob(jobPath);
const graph = await compileJobBundle(jobPath, bundle, { defaultParallelism: 1, maxParallelism: 128, args: [] });
const client = new JobManagerClient(address);
while ((await client.call('ClusterOverview', {})).slotsTotal < 1) await sleep(50);
const request = { jobGraph: Buffer.from(JSON.stringify(graph)), bundle: Buffer.from(bundle), savepointPath: '', allowNonRestoredState: false, jobConfigJson: '{}' };

const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 100) / 100;
const heapMb = () => {
  globalThis.gc();
  globalThis.gc();
  return mb(process.memoryUsage().heapUsed);
};

const samples = { before: heapMb() };
const rss = { before: mb(process.memoryUsage().rss) };
const started = Date.now();
for (let i = 1; i <= jobs; i++) {
  const { jobId } = await client.call('SubmitJob', request, 60_000);
  for (;;) {
    const { summary, detailsJson } = await client.call('GetJob', { jobId });
    if (isTerminalJobStatus(summary.state)) {
      if (summary.state !== 'FINISHED') throw new Error(`job ${i} (${jobId}) ended ${summary.state}: ${JSON.parse(detailsJson)['root-exception']}`);
      break;
    }
    await sleep(20);
  }
  if (at.has(i)) {
    await sleep(200); // let the last job's checkpoint shutdown settle and the job be archived
    samples[i] = heapMb();
    rss[i] = mb(process.memoryUsage().rss);
  }
}
const listed = (await client.call('ListJobs', {})).jobs.length;
process.stdout.write(`${JSON.stringify({ jobs, capacity: Number(values.capacity), listedAtEnd: listed, seconds: (Date.now() - started) / 1000, heapUsedMb: samples, rssMb: rss })}\n`);
client.close();
taskManager.kill('SIGTERM');
await new Promise((resolve) => taskManager.once('exit', resolve));
await jobManager.stop();
rmSync(dir, { recursive: true, force: true });
