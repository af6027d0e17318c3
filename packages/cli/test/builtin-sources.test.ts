import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, runCli, runCliJson, startCluster, stopAllProcesses, waitFor, type StartedJobManager } from '@rivulet/testing';

/**
 * The built-in sources (fromSequence, readTextFile, fromElements) on the
 * Source API, end to end: savepoints of the new sources, and savepoints
 * written before they ran on it (fixtures/savepoint-before-source-api: the
 * same job, fixtures/builtin-sources-job.ts, stopped mid-way with the code
 * of before), restored at other parallelisms. The job's sinks append what
 * they get to files; a job that runs to its end without failures writes each
 * record once, so what was read before the stop and after the restore must
 * be the input exactly. One cluster: 2 TaskManagers of 2 slots.
 */
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'builtin-sources-job.ts');
const OLD_SAVEPOINT = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'savepoint-before-source-api');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-builtin-sources-'));
let jm: StartedJobManager;

/** The input of the job that wrote the old savepoint: 2000 lines (its state holds byte offsets into this very file). */
const INPUT_LINES = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'é'.repeat(i % 5)}`);
const NUMBERS = 4000;
const ROUNDS = 100;
const LETTERS = Array.from({ length: 26 * ROUNDS }, (_, i) => `${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26)}`);

interface Records {
  readonly numbers: readonly number[];
  readonly lines: readonly string[];
  readonly letters: readonly string[];
}

interface Status {
  state: string;
  'root-exception'?: string | null;
}

before(async () => {
  const cluster = await startCluster({ taskManagers: 2, slots: 2, set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`] });
  jm = cluster.jobManager;
});
after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

function writeInput(folder: string): string {
  mkdirSync(folder, { recursive: true });
  const input = join(folder, 'input.txt');
  writeFileSync(input, `${INPUT_LINES.join('\n')}\n`);
  return input;
}

async function submit(output: string, input: string, pauseMs: number, options: readonly string[]): Promise<string> {
  const result = await runCli(['run', JOB, '--jobmanager', jm.rpcAddress, '--detached', '--output', 'json', ...options, '--',
    '--output', output, '--input', input, '--numbers', String(NUMBERS), '--rounds', String(ROUNDS), '--pause-ms', String(pauseMs)]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { jobId: string }).jobId;
}

async function waitForEnd(jobId: string): Promise<Status> {
  return waitFor(async () => {
    const s = await runCliJson<Status>(['status', jobId, '--jobmanager', jm.rpcAddress]);
    return ['FINISHED', 'FAILED', 'CANCELED'].includes(s.state) ? s : undefined;
  }, { timeoutMs: 120_000, what: `job ${jobId} to end` });
}

/** What the sinks of a run wrote, per source. */
function written(output: string): Records {
  const read = (name: string): string[] => {
    const folder = join(output, name);
    if (!existsSync(folder)) return [];
    return readdirSync(folder).flatMap((file) => readFileSync(join(folder, file), 'utf8').split('\n').filter((line) => line !== ''));
  };
  return { numbers: read('numbers').map(Number), lines: read('lines'), letters: read('letters') };
}

/** Every record of the input exactly once over the two runs. */
function assertExactlyOnce(first: Records, second: Records, label: string): void {
  const numbers = [...first.numbers, ...second.numbers].sort((a, b) => a - b);
  assert.deepEqual(numbers, Array.from({ length: NUMBERS }, (_, i) => i), `${label}: fromSequence`);
  assert.deepEqual([...first.lines, ...second.lines].sort(), [...INPUT_LINES].sort(), `${label}: readTextFile`);
  assert.deepEqual([...first.letters, ...second.letters].sort(), [...LETTERS].sort(), `${label}: fromElements`);
}

describe('built-in sources on the Source API (real processes)', { timeout: 600_000 }, () => {
  test('a savepoint written before the built-in sources ran on the Source API restores into them, at parallelism 3 and 1: nothing read twice or skipped', async () => {
    const old = JSON.parse(readFileSync(join(OLD_SAVEPOINT, 'read-before-the-stop.json'), 'utf8')) as Records;
    assert.ok(old.numbers.length > 0 && old.numbers.length < NUMBERS && old.lines.length > 0 && old.lines.length < INPUT_LINES.length && old.letters.length > 0 && old.letters.length < LETTERS.length,
      'the old job was stopped with every source mid-way');
    for (const parallelism of [3, 1]) {
      const folder = join(dir, `old-savepoint-p${parallelism}`);
      const input = writeInput(folder);
      // The old readers' state names the input file by path: the fixture has a placeholder for it.
      const savepoint = join(folder, 'savepoint');
      mkdirSync(savepoint);
      writeFileSync(join(savepoint, '_metadata'), readFileSync(join(OLD_SAVEPOINT, '_metadata'), 'utf8').replaceAll('@INPUT@', input));
      const output = join(folder, 'out');
      const jobId = await submit(output, input, 0, ['--parallelism', String(parallelism), '--from-savepoint', savepoint]);
      const end = await waitForEnd(jobId);
      assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
      assertExactlyOnce(old, written(output), `restored at parallelism ${parallelism}`);
    }
  });

  test('stopped with a savepoint mid-way, then restored at another parallelism: nothing read twice or skipped; the savepoint holds the enumerators\' checkpoints', async () => {
    const folder = join(dir, 'new-savepoint');
    const input = writeInput(folder);
    const first = join(folder, 'first');
    const jobId = await submit(first, input, 10, ['--parallelism', '2']);
    await waitFor(async () => {
      const s = await runCliJson<Status>(['status', jobId, '--jobmanager', jm.rpcAddress]);
      if (s.state !== 'RUNNING') throw new Error(`job ${jobId} is ${s.state}: ${s['root-exception'] ?? ''}`);
      const sofar = written(first);
      return sofar.numbers.length > 0 && sofar.lines.length > 0 && sofar.letters.length > 0 ? true : undefined;
    }, { timeoutMs: 60_000, what: 'every source to have emitted' });
    const stopped = await runCliJson<{ savepointPath: string }>(['stop', jobId, '--savepoint', join(folder, 'savepoints'), '--jobmanager', jm.rpcAddress], { timeoutMs: 60_000 });
    assert.equal((await waitForEnd(jobId)).state, 'FINISHED');
    const metadata = JSON.parse(readFileSync(join(stopped.savepointPath, '_metadata'), 'utf8')) as { operators: { operatorId: string; coordinatorState?: string }[] };
    for (const uid of ['numbers', 'lines', 'letters']) {
      assert.ok(metadata.operators.find((op) => op.operatorId === uid)?.coordinatorState !== undefined, `source ${uid} has its enumerator's checkpoint in the savepoint`);
    }
    const before = written(first);
    assert.ok(before.numbers.length < NUMBERS && before.lines.length < INPUT_LINES.length && before.letters.length < LETTERS.length, 'stopped with every source mid-way');
    const second = join(folder, 'second');
    const restored = await submit(second, input, 0, ['--parallelism', '3', '--from-savepoint', stopped.savepointPath]);
    const end = await waitForEnd(restored);
    assert.equal(end.state, 'FINISHED', end['root-exception'] ?? '');
    assertExactlyOnce(before, written(second), 'restored at parallelism 3');
  });
});
