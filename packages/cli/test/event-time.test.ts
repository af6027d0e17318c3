/**
 * Event time end to end, on one cluster of 2 TaskManagers x 2 slots: a keyed
 * process function counting per key per minute of event time with
 * event-time timers over out-of-order input (fixtures/event-time-count-job.ts),
 * its output checked against a reference computed here; at parallelism 2 the
 * keyed exchange (and so the watermarks) crosses the network between the
 * TaskManagers. A savepoint mid-stream restored at another parallelism gives
 * the same output as an uninterrupted run. Idleness: a source subtask
 * without data holds the timers back until the end of input, unless the
 * strategy has withIdleness (as in Flink).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, runCli, runCliJson, startCluster, stopAllProcesses, waitFor, type StartedJobManager } from '@rivulet/testing';
import { eventTimeOf, keyOf, MINUTE_MS } from './fixtures/event-time-rules.js';

const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'event-time-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-event-time-'));
let jm: StartedJobManager;

interface Line {
  readonly key: string;
  readonly minute: number;
  readonly count: number;
  readonly watermark: string;
}

before(async () => {
  const cluster = await startCluster({ taskManagers: 2, slots: 2, set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`] });
  jm = cluster.jobManager;
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

/** `key minute -> count` of the records 0..n-1 (below `silentFrom`), sorted. */
function reference(n: number, keys: number, silentFrom = n): string[] {
  const counts = new Map<string, number>();
  for (let i = 0; i < Math.min(n, silentFrom); i++) {
    const id = `${keyOf(i, keys)} ${Math.floor(eventTimeOf(i) / MINUTE_MS)}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts].map(([id, count]) => `${id} -> ${count}`).sort();
}

function committedLines(output: string): Line[] {
  if (!existsSync(output)) return [];
  return readdirSync(output)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(output, f), 'utf8').split('\n'))
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);
}

const summary = (lines: readonly Line[]): string[] => lines.map((l) => `${l.key} ${l.minute} -> ${l.count}`).sort();

async function submit(args: string[], options: string[] = [], settings: string[] = []): Promise<string> {
  const result = await runCli([
    'run', JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', ...options,
    ...settings.flatMap((s) => ['--set', s]), '--', ...args,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

/** Waits for FINISHED, polling REST (what `rivulet status` prints): a CLI process per poll costs over a second of CPU, taken from the job under test on a small machine. */
async function finished(jobId: string): Promise<void> {
  await waitFor(async () => {
    const s = (await (await fetch(`${jm.restUrl}/jobs/${jobId}`)).json()) as { state: string; 'root-exception'?: string | null };
    if (s.state === 'FAILED' || s.state === 'CANCELED') throw new Error(`job ${jobId} is ${s.state}: ${s['root-exception'] ?? ''}`);
    return s.state === 'FINISHED';
  }, { timeoutMs: 120_000, what: `job ${jobId} to finish` });
}

describe('event time', { timeout: 420_000 }, () => {
  test('per-key per-minute counts with event-time timers at parallelism 2 over 2 TaskManagers equal the reference', async () => {
    const n = 30_000;
    const keys = 7;
    const output = join(dir, 'p2');
    // Paused a little (~1 s per subtask) so periodic watermarks move on the way.
    await finished(await submit(['--n', String(n), '--keys', String(keys), '--pause-every', '100', '--pause-ms', '7', '--output', output], ['--parallelism', '2']));
    const lines = committedLines(output);
    assert.deepEqual(summary(lines), reference(n, keys));
    assert.ok(lines.some((l) => l.watermark !== 'Infinity'), 'some minutes fire before the end of input, on the way');
  });

  test('a savepoint mid-stream restored at another parallelism gives the output of an uninterrupted run', async () => {
    const n = 200_000;
    const keys = 5;
    const output = join(dir, 'savepoint');
    const started = Date.now();
    const jobId = await submit(
      // ~10 s per subtask: long enough to stop it after the first minutes are committed. (A source paused
      // more often holds the barriers of periodic checkpoints back until its end.)
      ['--n', String(n), '--keys', String(keys), '--pause-every', '100', '--pause-ms', '5', '--output', output],
      ['--parallelism', '2'],
      ['execution.checkpointing.interval=500ms'],
    );
    await waitFor(async () => committedLines(output).length > 0, { timeoutMs: 60_000, what: 'the first minutes to be committed' });
    const firstCommitMs = Date.now() - started;
    const stopped = await runCliJson<{ savepointPath: string }>(['stop', jobId, '--savepoint', join(dir, 'savepoints'), '--jobmanager', jm.rpcAddress], { timeoutMs: 60_000 }).catch((error: unknown) => {
      throw new Error(`stopping ${firstCommitMs} ms after the submission, once the first minutes were committed: ${String(error)}`);
    });
    await finished(jobId);
    const beforeRestore = committedLines(output).length;
    assert.ok(beforeRestore > 0 && beforeRestore < reference(n, keys).length, `stopped mid-stream (${beforeRestore} of ${reference(n, keys).length} minutes out)`);
    const copy = `${output}-p3`;
    cpSync(output, copy, { recursive: true });
    await finished(await submit(['--n', String(n), '--keys', String(keys), '--output', copy], ['--parallelism', '3', '--from-savepoint', stopped.savepointPath]));
    assert.deepEqual(summary(committedLines(copy)), reference(n, keys));
  });

  test('a source subtask without data holds timers back until the end of input, unless the strategy has withIdleness', async () => {
    const n = 8_000;
    const keys = 3;
    // Source subtask 0 reads 0..3999 (data, ~4 s); subtask 1 reads 4000..7999 and drops them all before the
    // assigner (~8 s), so it ends well after the data. The keyed count runs at parallelism 1, beside source
    // subtask 0, so the silent subtask's busy thread never delays it.
    const args = [
      '--n', String(n), '--keys', String(keys), '--silent-from', '4000', '--silent-pause-ms', '20', '--pause-every', '10', '--pause-ms', '10',
      '--keyed-parallelism', '1',
    ];
    const without = join(dir, 'not-idle');
    await finished(await submit([...args, '--output', without], ['--parallelism', '2']));
    const withIdleness = join(dir, 'idle');
    await finished(await submit([...args, '--idleness-ms', '300', '--output', withIdleness], ['--parallelism', '2']));
    const expected = reference(n, keys, 4000);
    const plain = committedLines(without);
    const idle = committedLines(withIdleness);
    assert.deepEqual(summary(plain), expected);
    assert.deepEqual(summary(idle), expected);
    assert.deepEqual([...new Set(plain.map((l) => l.watermark))], ['Infinity'], 'without idleness every timer fires at the final watermark');
    assert.ok(idle.some((l) => l.watermark !== 'Infinity'), 'with idleness the silent input stops holding the watermark back');
  });
});
