import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TextFileSource, type TextFileSplit } from '../../../src/source/builtin/index.js';
import { runSource } from './in-process-source.js';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-text-file-source-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DESCRIPTION = "source 'Source: Text File' (lines)";
const LINES = Array.from({ length: 503 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}${i % 11 === 0 ? '\r' : ''}`);
const EXPECTED = LINES.map((line) => line.replace(/\r$/, ''));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('readTextFile on the Source API (TextFileSource)', () => {
  test('one share of the bytes per subtask: every line once, in order, \\r dropped, multi-byte characters intact', async () => {
    const path = file('lines.txt', `${LINES.join('\n')}\n`);
    for (let p = 1; p <= 6; p++) {
      const run = await runSource(new TextFileSource(path, DESCRIPTION), p, { batch: p * 5 });
      assert.deepEqual(run.records.flat(), EXPECTED, `parallelism ${p}`);
      assert.ok(run.ended.every(Boolean));
      assert.deepEqual(run.assigned.map((splits) => splits.map((s) => s.range)), Array.from({ length: p }, (_, k) => [{ kind: 'share', index: k, count: p }]),
        'the enumerator cuts shares, never touching the file');
    }
  });

  test('a file without a trailing newline keeps its last line; an empty file has none', async () => {
    assert.deepEqual((await runSource(new TextFileSource(file('no-newline.txt', 'a\nb\nlast'), DESCRIPTION), 2)).records.flat(), ['a', 'b', 'last']);
    assert.deepEqual((await runSource(new TextFileSource(file('empty.txt', ''), DESCRIPTION), 3)).records.flat(), []);
  });

  test('a checkpoint holds the split being read at the byte offset of its next line; restored at another parallelism the rest is read once', async () => {
    const path = file('resume.txt', `${LINES.join('\n')}\n`);
    const source = new TextFileSource(path, DESCRIPTION);
    const first = await runSource(source, 3, { limit: (i) => 40 + i * 13, batch: 5 });
    const position = first.readerStates[0]![0]!;
    const bytesBefore = Buffer.byteLength(`${LINES.slice(0, 40).join('\n')}\n`);
    assert.deepEqual(position, { splitId: '0', path, range: { kind: 'bytes', start: bytesBefore, end: position.range.kind === 'bytes' ? position.range.end : -1, atLineStart: true } },
      'subtask 0 read its first 40 lines: its position is the offset of line 40');
    for (const p of [1, 2, 4]) {
      const rest = await runSource(source, p, { from: first });
      assert.deepEqual([...first.records.flat(), ...rest.records.flat()].sort(), [...EXPECTED].sort(), `restored at parallelism ${p}`);
    }
  });

  test('a split not opened yet stays a share in the checkpoint, resolved when a reader opens it', async () => {
    const path = file('shares.txt', `${LINES.join('\n')}\n`);
    const source = new TextFileSource(path, DESCRIPTION);
    const first = await runSource(source, 2, { limit: () => 0 });
    assert.deepEqual(first.readerStates, [[{ splitId: '0', path, range: { kind: 'share', index: 0, count: 2 } }], [{ splitId: '1', path, range: { kind: 'share', index: 1, count: 2 } }]]);
    const rest = await runSource(source, 3, { from: first });
    assert.deepEqual(rest.records.flat(), EXPECTED);
  });

  test('the state of before the Source API ({ path, start, end, atLineStart }) restores, at any parallelism', async () => {
    const path = file('legacy.txt', 'alpha\nbravo\ncharlie\ndelta\necho\n');
    // Two old subtasks: the first had read "alpha" (its range [0, 16) resumes at 6); the second had not started ([16, 31), mid-line).
    const legacy: unknown[][] = [[{ path, start: 6, end: 16, atLineStart: true }], [{ path, start: 16, end: 31, atLineStart: false }]];
    for (const p of [1, 2, 3]) {
      const readerStates = Array.from({ length: p }, (_, i) => legacy.filter((_, k) => k % p === i).flat());
      const run = await runSource(new TextFileSource(path, DESCRIPTION), p, { readerStates, enumeratorCheckpoint: { version: 1, unassigned: [] } });
      assert.deepEqual(run.records.flat().sort(), ['bravo', 'charlie', 'delta', 'echo'], `parallelism ${p}`);
    }
    const mapped: TextFileSplit[] = new TextFileSource(path, DESCRIPTION).splitsOfReaderState(legacy[1]!);
    assert.deepEqual(mapped, [{ splitId: 'restored-16-31', path, range: { kind: 'bytes', start: 16, end: 31, atLineStart: false } }]);
  });

  test('a missing file, or a folder, fails naming the source and the path', async () => {
    const missing = join(dir, 'missing.txt');
    await assert.rejects(runSource(new TextFileSource(missing, DESCRIPTION), 1), { message: `${DESCRIPTION}: readTextFile: cannot read ${missing}: no such file` });
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    await assert.rejects(runSource(new TextFileSource(folder, DESCRIPTION), 1), { message: `${DESCRIPTION}: readTextFile: ${folder} is not a file` });
    assert.throws(() => new TextFileSource(folder, DESCRIPTION).splitsOfReaderState([{ path: folder, start: 'x' }]), /entry 0 of its restored state is not a text file split/);
  });
});
