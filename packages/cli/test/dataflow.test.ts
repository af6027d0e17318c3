import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT,
  runCli,
  runCliJson,
  startCluster,
  stopAllProcesses,
  waitFor,
  type StartedJobManager,
  type StartedTaskManager,
} from '@rivulet/testing';

const FIXTURES = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-dataflow-'));
let jm: StartedJobManager;
let tms: readonly StartedTaskManager[];

interface JobDetails {
  state: string;
  exceptions: Array<{ message: string; task: string | null }>;
  'root-exception': string | null;
  results: Record<string, unknown[]>;
  vertices: Array<{ name: string; parallelism: number }>;
}

before(async () => {
  const cluster = await startCluster({ taskManagers: 2, slots: 2, set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`] });
  jm = cluster.jobManager;
  tms = cluster.taskManagers;
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

/** A TaskManager's unlabelled `rivulet_taskmanager_Shuffle_<name>` gauge, scraped from its /metrics. */
async function shuffleGauge(tm: StartedTaskManager, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${tm.httpPort}/metrics`)).text();
  const match = new RegExp(`^rivulet_taskmanager_Shuffle_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  assert.ok(match, `rivulet_taskmanager_Shuffle_${name} is exported`);
  return Number(match[1]);
}

/** A seeded generator, so a failing run can be repeated. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function runJob(job: string, options: string[] = [], args: string[] = []) {
  return runCli(['run', job, '--jobmanager', jm.rpcAddress, ...options, ...(args.length > 0 ? ['--', ...args] : [])], { timeoutMs: 60_000 });
}

describe('dataflow across TaskManagers', { timeout: 120_000 }, () => {
  test('word count with parallelism 4 on 2 TaskManagers x 2 slots equals a reference count', async () => {
    const random = generator(42);
    const vocabulary = Array.from({ length: 500 }, (_, i) => `w${i.toString(36)}`);
    const lines = Array.from({ length: 4000 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 12) }, () => vocabulary[Math.floor(random() ** 2 * vocabulary.length)]).join(' '),
    );
    const input = join(dir, 'words.txt');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const reference = new Map<string, number>();
    for (const line of lines) for (const word of line.split(' ')) reference.set(word, (reference.get(word) ?? 0) + 1);

    const output = join(dir, 'wordcount-out');
    const result = await runJob(join(REPO_ROOT, 'examples', 'wordcount.ts'), ['--parallelism', '4'], ['--input', input, '--output', output]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /FINISHED/);

    const files = readdirSync(output).sort();
    assert.deepEqual(files.map((f) => f.split('-')[1]), ['0', '1', '2', '3'], 'one committed file per subtask, nothing in progress left');
    assert.ok(files.every((f) => f.startsWith('part-')), `only committed files are visible: ${files.join(', ')}`);
    const counts = new Map<string, number>();
    for (const file of files) {
      for (const line of readFileSync(join(output, file), 'utf8').split('\n')) {
        if (line === '') continue;
        const { word, count } = JSON.parse(line) as { word: string; count: number };
        counts.set(word, Math.max(counts.get(word) ?? 0, count));
      }
    }
    assert.deepEqual(new Map([...counts].sort()), new Map([...reference].sort()));

    // The words crossed between the TaskManagers: what one sent, the other received (payload bytes), and nothing is left queued.
    const sum = async (name: string): Promise<number> => (await Promise.all(tms.map((tm) => shuffleGauge(tm, name)))).reduce((a, b) => a + b, 0);
    const bytesOut = await sum('numBytesOut');
    assert.ok(bytesOut > 0, 'records were shuffled over TCP');
    assert.equal(await sum('numBytesInRemote'), bytesOut);
    assert.equal(await sum('numBuffersInRemote'), await sum('numBuffersOut'));
    assert.equal(await sum('outputQueueLength'), 0);
    assert.equal(await sum('inputQueueLength'), 0);
  });

  test('a keyed running maximum keeps state per key: exactly the expected per-key results', async () => {
    const n = 200_000;
    const keys = 50;
    const result = await runJob(join(FIXTURES, 'keyed-max-job.ts'), ['--parallelism', '3', '--output', 'json'], ['--n', String(n), '--keys', String(keys)]);
    assert.equal(result.code, 0, result.stderr);
    const details = JSON.parse(result.stdout) as JobDetails;
    assert.equal(details.state, 'FINISHED');
    const records = details.results['max'] as Array<{ key: string; value: number }>;
    assert.equal(records.length, n, 'one running result per input record');

    const expected = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = `k${(i * 7) % keys}`;
      expected.set(key, Math.max(expected.get(key) ?? -1, (i * 2654435761) % 1_000_003));
    }
    const finalMax = new Map<string, number>();
    for (const record of records) {
      const previous = finalMax.get(record.key) ?? -1;
      assert.ok(record.value >= previous, `running max of ${record.key} went down from ${previous} to ${record.value}`);
      finalMax.set(record.key, record.value);
    }
    assert.deepEqual(new Map([...finalMax].sort()), new Map([...expected].sort()));
  });
});

describe('bad jobs: a clear error each, and the cluster keeps running', { timeout: 120_000 }, () => {
  test('a job file that does not exist: exit 2 naming it', async () => {
    const result = await runJob(join(dir, 'no-such-job.ts'));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /job file .*no-such-job\.ts does not exist/);
  });

  test('a job that does not compile: exit 1 with the file and line', async () => {
    const broken = join(dir, 'broken-job.ts');
    copyFileSync(join(FIXTURES, 'broken-job.ts.txt'), broken);
    const result = await runJob(broken);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /does not compile: .*broken-job\.ts:3:\d+: /);
  });

  test('a default export that is not a job: exit 1 saying what to write', async () => {
    const result = await runJob(join(FIXTURES, 'not-a-job.ts'));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not a Rivulet job: write `export default defineJob/);
  });

  test('a user function that throws: the job fails with the user\'s error and stack in `rivulet status`', async () => {
    const submitted = await runJob(join(FIXTURES, 'failing-job.ts'), ['--detached', '--output', 'json']);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { jobId } = JSON.parse(submitted.stdout) as { jobId: string };
    const details = await waitFor(async () => {
      const status = await runCliJson<JobDetails>(['status', jobId, '--jobmanager', jm.rpcAddress]);
      return status.state === 'FAILED' ? status : undefined;
    }, { timeoutMs: 30_000, what: 'the job to fail' });
    assert.match(details['root-exception'] ?? '', /Error: boom at record 500/);
    assert.match(details['root-exception'] ?? '', /explodeOnPurpose .*failing-job\.ts:4:/, 'the stack names the user function and its source line');
    assert.ok(details.exceptions[0]?.task, 'the failed task is named');
    const text = await runCli(['status', jobId, '--jobmanager', jm.rpcAddress]);
    assert.match(text.stdout, /boom at record 500/);
  });

  test('a job asking for more slots than exist fails after slot.request.timeout, saying how many it needed', async () => {
    const result = await runJob(join(REPO_ROOT, 'examples', 'wordcount.ts'), ['--parallelism', '9', '--set', 'slot.request.timeout=1s'], ['--output', join(dir, 'never')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /not enough slots: the job needs 9 slots/);
  });

  test('a record that cannot be serialized fails the job with a clear error', async () => {
    const result = await runJob(join(FIXTURES, 'unserializable-job.ts'), ['--output', 'json']);
    assert.equal(result.code, 1);
    const details = JSON.parse(result.stdout) as JobDetails;
    assert.equal(details.state, 'FAILED');
    assert.match(details['root-exception'] ?? '', /cannot be serialized|not serializable|function/i);
  });

  test('after all of that the cluster still runs jobs', async () => {
    const overview = await (await fetch(`${jm.restUrl}/overview`)).json() as Record<string, number>;
    assert.equal(overview['taskmanagers'], 2);
    assert.equal(overview['slots-available'], 4, 'every slot was released');
    assert.ok((overview['jobs-failed'] ?? 0) >= 3);
    const result = await runJob(join(FIXTURES, 'keyed-max-job.ts'), ['--output', 'json'], ['--n', '1000', '--keys', '10']);
    assert.equal(result.code, 0, result.stderr);
  });
});
