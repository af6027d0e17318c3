import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, runCli, startCluster, stopAllProcesses, type StartedJobManager } from '@rivulet/testing';
import { PARTITIONED_COUNT, trades, type Routed, type Trade } from './fixtures/datastream-basics-job.js';

/**
 * The DataStream basics on a real cluster of 2 TaskManagers x 2 slots (so
 * edges cross TaskManagers): min/max/minBy/maxBy against a reference computed
 * here, each partitioner by which downstream subtask received which record
 * from which upstream subtask (non-keyed process functions tag both), a
 * non-keyed process function's context, and a partitionCustom result out of
 * range failing the job with an error naming the edge and the value.
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'datastream-basics-job.ts');
let jm: StartedJobManager;

interface JobDetails {
  state: string;
  'root-exception': string | null;
  results: Record<string, unknown[]>;
}

/** Both runs, one after the other (each may need every slot); a test awaits its own. */
let runs: { all: Promise<JobDetails>; badPartitioner: Promise<JobDetails> } | undefined;

before(async () => {
  const cluster = await startCluster({ taskManagers: 2, slots: 2 });
  jm = cluster.jobManager;
  const all = run(['--case', 'all']);
  const badPartitioner = all.catch(() => undefined).then(() => run(['--case', 'bad-partitioner']));
  runs = { all, badPartitioner };
  for (const pending of Object.values(runs)) void pending.catch(() => undefined);
});
after(async () => {
  await stopAllProcesses();
});

async function run(args: readonly string[]): Promise<JobDetails> {
  const result = await runCli(
    ['run', JOB, '--jobmanager', jm.rpcAddress, '--parallelism', '2', '--output', 'json', '--', ...args],
    { timeoutMs: 90_000 },
  );
  const start = result.stdout.indexOf('{');
  assert.ok(start >= 0, `no job details in the output: ${result.stdout}\n${result.stderr}`);
  return JSON.parse(result.stdout.slice(start)) as JobDetails;
}

async function finishedRun(): Promise<JobDetails> {
  const details = await runs!.all;
  assert.equal(details.state, 'FINISHED', details['root-exception'] ?? '');
  return details;
}

/** The rolling output per key of a reduce, computed here record by record. */
function reference(combine: (accumulated: Trade, value: Trade) => Trade): Map<string, Trade[]> {
  const result = new Map<string, Trade[]>();
  const current = new Map<string, Trade>();
  for (const trade of trades()) {
    const previous = current.get(trade.symbol);
    const next = previous === undefined ? trade : combine(previous, trade);
    current.set(trade.symbol, next);
    result.set(trade.symbol, [...(result.get(trade.symbol) ?? []), next]);
  }
  return result;
}

function bySymbol(records: unknown[]): Map<string, Trade[]> {
  const result = new Map<string, Trade[]>();
  for (const record of records as Trade[]) result.set(record.symbol, [...(result.get(record.symbol) ?? []), record]);
  return result;
}

/** Which downstream subtasks received records from each upstream subtask, and how many each received. */
function routes(records: unknown[]): { to: Map<number, Set<number>>; counts: Map<number, number>; numbers: number[] } {
  const to = new Map<number, Set<number>>();
  const counts = new Map<number, number>();
  for (const record of records as Routed[]) {
    to.set(record.from, new Set([...(to.get(record.from) ?? []), record.to]));
    counts.set(record.to, (counts.get(record.to) ?? 0) + 1);
  }
  return { to, counts, numbers: (records as Routed[]).map((r) => r.n).sort((a, b) => a - b) };
}

const everyNumber = Array.from({ length: PARTITIONED_COUNT }, (_, i) => i + 1);
const sorted = (set: Set<number> | undefined): number[] => [...(set ?? [])].sort((a, b) => a - b);

describe('DataStream basics on a cluster', { timeout: 240_000 }, () => {
  test("min and max: the key's first record with the running min/max", async () => {
    const details = await finishedRun();
    const firstWith = (price: number) => (accumulated: Trade): Trade => ({ ...accumulated, price });
    assert.deepEqual(bySymbol(details.results['min']!), reference((a, v) => firstWith(Math.min(a.price, v.price))(a)));
    assert.deepEqual(bySymbol(details.results['max']!), reference((a, v) => firstWith(Math.max(a.price, v.price))(a)));
  });

  test('minBy keeps the first record of a tie, maxBy(field, false) the latest', async () => {
    const details = await finishedRun();
    assert.deepEqual(bySymbol(details.results['minBy']!), reference((a, v) => (v.price < a.price ? v : a)));
    assert.deepEqual(bySymbol(details.results['maxBy-last']!), reference((a, v) => (v.price >= a.price ? v : a)));
  });

  test("a non-keyed process function: any number of outputs, no timestamp, Flink's error for a timer", async () => {
    const details = await finishedRun();
    const lines = (details.results['process'] as string[]).slice().sort();
    const timerError = "Setting timers is only supported on a keyed streams. (operator 'Process' (probe): use keyBy(...).process(...) for timers)";
    assert.deepEqual(lines, [2, 4, 6, 8, 10].flatMap((n) => [`${n} again`, `${n} timestamp=undefined timer=${timerError}`]).sort());
  });

  test('rescale 2 -> 4: each upstream subtask sends round-robin to its own two downstream subtasks', async () => {
    const { to, counts, numbers } = routes((await finishedRun()).results['rescale']!);
    assert.deepEqual(numbers, everyNumber);
    assert.deepEqual(sorted(to.get(0)), [0, 1]);
    assert.deepEqual(sorted(to.get(1)), [2, 3]);
    for (const subtask of [0, 1, 2, 3]) assert.equal(counts.get(subtask), PARTITIONED_COUNT / 4, `downstream subtask ${subtask}`);
  });

  test('shuffle 2 -> 3: every record once, every downstream subtask from both upstream subtasks, about uniformly', async () => {
    const { to, counts, numbers } = routes((await finishedRun()).results['shuffle']!);
    assert.deepEqual(numbers, everyNumber);
    assert.deepEqual(sorted(to.get(0)), [0, 1, 2]);
    assert.deepEqual(sorted(to.get(1)), [0, 1, 2]);
    // 600 records over 3 subtasks: 200 expected each; 130..270 is more than 6 standard deviations wide.
    for (const subtask of [0, 1, 2]) {
      const count = counts.get(subtask) ?? 0;
      assert.ok(count > 130 && count < 270, `downstream subtask ${subtask} received ${count} of ${PARTITIONED_COUNT}`);
    }
  });

  test('global 2 -> 3: everything at downstream subtask 0', async () => {
    const { counts, numbers } = routes((await finishedRun()).results['global']!);
    assert.deepEqual(numbers, everyNumber);
    assert.deepEqual([...counts.entries()], [[0, PARTITIONED_COUNT]]);
  });

  test('partitionCustom 2 -> 3: record n at downstream subtask n % 3', async () => {
    const records = (await finishedRun()).results['custom'] as Routed[];
    assert.deepEqual(records.map((r) => r.n).sort((a, b) => a - b), everyNumber);
    assert.deepEqual(records.filter((r) => r.to !== r.n % 3), []);
  });

  test('partitionCustom returning numPartitions fails the job, naming the edge, the value and the key', async () => {
    const details = await runs!.badPartitioner;
    assert.equal(details.state, 'FAILED', `root exception: ${details['root-exception'] ?? 'none'}`);
    assert.match(
      details['root-exception'] ?? '',
      /RangeError: partitionCustom\(\) on the edge from operator 'Source: Sequence' \(source-sequence-0\) to map-user-1: the partitioner returned 2 for key 7; it must be an integer in \[0, 2\)/,
    );
  });
});
