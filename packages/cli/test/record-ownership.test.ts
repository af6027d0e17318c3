import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, runCli, startCluster, stopAllProcesses, type StartedJobManager } from '@rivulet/testing';

/**
 * Records that cannot be corrupted (issue 12, item 4), on a real cluster of
 * 2 TaskManagers x 2 slots: jobs whose functions mutate records they
 * received or emitted give, at parallelism 1 (every task in one slot: its
 * edges stay in the slot's thread) and at parallelism 2 (spread over both
 * TaskManagers), the output of the same job with each operator given its
 * own copy; `pipeline.object-reuse` turns the copies off; a record holding a
 * function fails with the same error text wherever its consumer runs.
 */
const FIXTURES = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures');
const MUTATION_JOB = join(FIXTURES, 'mutation-job.ts');
const FUNCTION_JOB = join(FIXTURES, 'function-in-record-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-record-ownership-'));
let jm: StartedJobManager;

interface JobDetails {
  state: string;
  'root-exception': string | null;
  results: Record<string, unknown[]>;
}

/**
 * Every run of the file, started when the cluster is up, in waves that fit
 * the 4 slots (jobs submitted beyond the free slots can wait on each other's
 * partly allocated slots until slot.request.timeout).
 */
let runs: {
  reuseBySetting: Promise<JobDetails>;
  reuseInJob: Promise<JobDetails>;
  functionInOneSlot: Promise<JobDetails>;
  functionAcrossTaskManagers: Promise<JobDetails>;
  functionInAChain: Promise<JobDetails>;
} | undefined;
let mutations: Promise<[JobDetails, JobDetails]>;

before(async () => {
  const cluster = await startCluster({ taskManagers: 2, slots: 2, set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`] });
  jm = cluster.jobManager;
  const settled = (...pending: Promise<unknown>[]): Promise<unknown> => Promise.allSettled(pending);
  // Every case of mutation-job at parallelism 1 (every task in one slot: its edges stay in the slot's thread) and 2 (over both TaskManagers).
  mutations = Promise.all([run(MUTATION_JOB, 1, []), run(MUTATION_JOB, 2, [])]);
  const functionInAChain = run(FUNCTION_JOB, 1, ['--chain-only', 'true']);
  const secondWave = settled(mutations, functionInAChain);
  const functionInOneSlot = secondWave.then(() => run(FUNCTION_JOB, 1, []));
  const functionAcrossTaskManagers = secondWave.then(() => run(FUNCTION_JOB, 2, []));
  const reuseBySetting = secondWave.then(() => run(MUTATION_JOB, 1, ['--case', 'sum'], ['--set', 'pipeline.object-reuse=true']));
  const reuseInJob = settled(functionInOneSlot, functionAcrossTaskManagers, reuseBySetting).then(() => run(MUTATION_JOB, 1, ['--case', 'sum', '--reuse-in-job', 'true']));
  runs = { reuseBySetting, reuseInJob, functionInOneSlot, functionAcrossTaskManagers, functionInAChain };
  // A test awaits each; none may reject unobserved before its test runs.
  for (const pending of [mutations, ...Object.values(runs)]) void pending.catch(() => undefined);
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

async function run(job: string, parallelism: number, args: readonly string[], options: readonly string[] = []): Promise<JobDetails> {
  const result = await runCli(
    ['run', job, '--jobmanager', jm.rpcAddress, '--parallelism', String(parallelism), '--output', 'json', ...options, '--', ...args],
    { timeoutMs: 60_000 },
  );
  const start = result.stdout.indexOf('{');
  assert.ok(start >= 0, `no job details in the output: ${result.stdout}\n${result.stderr}`);
  return JSON.parse(result.stdout.slice(start)) as JobDetails;
}

/** Both placements of mutation-job, finished. */
async function bothPlacements(): Promise<[JobDetails, JobDetails]> {
  const both = await mutations;
  for (const details of both) assert.equal(details.state, 'FINISHED', details['root-exception'] ?? '');
  return both;
}

/** Per key, the values of `field` in the order they were collected. */
function perKey(records: unknown[], key: string, field: string): Map<number, number[]> {
  const result = new Map<number, number[]>();
  for (const record of records as Record<string, number>[]) {
    const k = record[key]!;
    result.set(k, [...(result.get(k) ?? []), record[field]!]);
  }
  return result;
}

const evenNumbersTo200 = Array.from({ length: 100 }, (_, i) => 2 * (i + 1));

describe('records that cannot be corrupted', { timeout: 120_000 }, () => {
  for (const mutation of ['sum', 'reduce', 'reduce-in-place']) {
    test(`a map mutating what ${mutation} emits: 2, 4, 6, ... 200 per key, in one slot and across TaskManagers`, async () => {
      for (const details of await bothPlacements()) {
        const counts = perKey(details.results[mutation]!, 'k', 'count');
        assert.equal(counts.size, 10);
        for (const [k, values] of counts) assert.deepEqual(values, evenNumbersTo200, `key ${k}`);
      }
    });
  }

  test('a process function emitting its state object: the state never sees the downstream mutation', async () => {
    for (const details of await bothPlacements()) {
      const values = perKey(details.results['process']!, 'k', 'n');
      assert.equal(values.size, 10);
      for (const [k, n] of values) assert.deepEqual(n, Array.from({ length: 100 }, (_, i) => 10 * (i + 1)), `key ${k}`);
    }
  });

  test('fan-out to two sinks where one mutates: the other receives every record unchanged', async () => {
    for (const details of await bothPlacements()) {
      const records = details.results['fan-out'] as { i: number; tag: string }[];
      assert.equal(records.length, 1000);
      assert.deepEqual(records.filter((r) => r.tag !== 'original'), []);
    }
  });

  test('broadcast to consumers that mutate: each consumer sees every record once, unchanged by the others', async () => {
    const [one, two] = await bothPlacements();
    for (const [details, consumers] of [[one, 1], [two, 2]] as const) {
      const records = details.results['broadcast'] as { i: number; seen: number }[];
      assert.equal(records.length, 1000 * consumers);
      assert.deepEqual(records.filter((r) => r.seen !== 1), []);
    }
  });

  test('with pipeline.object-reuse (--set, or env.enableObjectReuse() in the job) nothing is copied: the documented 2, 6, 14, 30, 62', async () => {
    for (const details of [await runs!.reuseBySetting, await runs!.reuseInJob]) {
      assert.equal(details.state, 'FINISHED', details['root-exception'] ?? '');
      const counts = perKey(details.results['sum']!, 'k', 'count');
      assert.equal(counts.size, 10);
      for (const [k, values] of counts) assert.deepEqual(values.slice(0, 5), [2, 6, 14, 30, 62], `key ${k}`);
    }
  });

  test('a record holding a function fails with the same error in one slot as across TaskManagers, and inside a chain', async () => {
    const errorOf = (details: JobDetails): string => {
      assert.equal(details.state, 'FAILED');
      const line = /UnserializableRecordError: (cannot serialize a record of .*)/.exec(details['root-exception'] ?? '');
      assert.ok(line, `not an UnserializableRecordError: ${details['root-exception']}`);
      return line[1]!;
    };
    // The partition id and the subtask differ with the placement; the rest of the text does not.
    const placementFree = (text: string): string => text.replace(/partition \S+ /, 'partition P ').replace(/\(\d+\/\d+\)\)/, '(k/p))');
    const one = errorOf(await runs!.functionInOneSlot);
    assert.equal(
      placementFree(one),
      'cannot serialize a record of partition P (owner Source: Sequence -> Map (k/p)): record.callback is a function callback (functions cannot be sent)',
    );
    assert.equal(placementFree(errorOf(await runs!.functionAcrossTaskManagers)), placementFree(one));
    assert.equal(errorOf(await runs!.functionInAChain), 'cannot serialize a record of Map (1/1): record.callback is a function callback (functions cannot be sent)');
  });
});
