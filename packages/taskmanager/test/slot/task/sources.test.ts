import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ElementsSource, SequenceSource, initialSequenceSplits } from '../../../src/slot/task/sources/sequence-source.js';
import { assignSplits, type SourceReader } from '../../../src/slot/task/sources/source-reader.js';
import { TextFileSource, initialTextFileSplits, type TextFileSplit } from '../../../src/slot/task/sources/text-file-source.js';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-sources-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function drain(source: SourceReader, max = 7, limit = Number.POSITIVE_INFINITY): Promise<unknown[]> {
  const out: unknown[] = [];
  const collector = { collect: (r: unknown) => out.push(r) };
  await source.open?.();
  while (out.length < limit) {
    const more = await source.emit(collector, Math.min(max, limit - out.length));
    if (!more) break;
  }
  return out;
}

const LINES = Array.from({ length: 503 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}${i % 11 === 0 ? '\r' : ''}`);

describe('sources read every record exactly once, and resume from their snapshot', () => {
  test('fromSequence splits [from, to] over any parallelism', async () => {
    for (let p = 1; p <= 5; p++) {
      const all: unknown[] = [];
      for (let i = 0; i < p; i++) all.push(...(await drain(new SequenceSource(initialSequenceSplits(10, 1010, i, p)))));
      assert.deepEqual(all, Array.from({ length: 1001 }, (_, k) => 10 + k), `parallelism ${p}`);
    }
  });

  test('readTextFile splits by byte offset: each line once, \\r dropped, multi-byte characters intact', async () => {
    const path = join(dir, 'lines.txt');
    writeFileSync(path, `${LINES.join('\n')}\n`);
    const expected = LINES.map((l) => l.replace(/\r$/, ''));
    for (let p = 1; p <= 6; p++) {
      const all: unknown[] = [];
      for (let i = 0; i < p; i++) all.push(...(await drain(new TextFileSource(() => initialTextFileSplits(path, i, p)))));
      assert.deepEqual(all, expected, `parallelism ${p}`);
    }
  });

  test('a file without a trailing newline keeps its last line', async () => {
    const path = join(dir, 'no-newline.txt');
    writeFileSync(path, 'a\nb\nlast');
    assert.deepEqual(await drain(new TextFileSource(() => initialTextFileSplits(path, 0, 1))), ['a', 'b', 'last']);
  });

  test('snapshot mid-way, restore at a different parallelism: the rest is read exactly once', async () => {
    const path = join(dir, 'resume.txt');
    writeFileSync(path, `${LINES.join('\n')}\n`);
    const expected = LINES.map((l) => l.replace(/\r$/, ''));
    const before: unknown[] = [];
    const snapshots: TextFileSplit[][] = [];
    for (let i = 0; i < 3; i++) {
      const source = new TextFileSource(() => initialTextFileSplits(path, i, 3));
      before.push(...(await drain(source, 5, 40 + i * 13)));
      snapshots.push(source.snapshotSplits());
    }
    for (const p of [1, 2, 4]) {
      const rest: unknown[] = [];
      for (let i = 0; i < p; i++) rest.push(...(await drain(new TextFileSource(assignSplits(snapshots, i, p)))));
      assert.deepEqual([...before, ...rest].sort(), [...expected].sort(), `restored at parallelism ${p}`);
    }
  });

  test('sequence snapshot and restore over a different parallelism', async () => {
    const snapshots = [];
    const before: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const source = new SequenceSource(initialSequenceSplits(1, 1000, i, 4));
      before.push(...(await drain(source, 10, 30 * (i + 1))));
      snapshots.push(source.snapshotSplits());
    }
    const rest: unknown[] = [];
    for (let i = 0; i < 3; i++) rest.push(...(await drain(new SequenceSource(assignSplits(snapshots, i, 3)))));
    assert.deepEqual([...before, ...rest].sort((a, b) => Number(a) - Number(b)), Array.from({ length: 1000 }, (_, k) => k + 1));
  });

  test('fromElements resumes at its index', async () => {
    const source = new ElementsSource(['a', 'b', 'c', 'd']);
    assert.deepEqual(await drain(source, 1, 2), ['a', 'b']);
    assert.deepEqual(await drain(new ElementsSource(['a', 'b', 'c', 'd'], (source.snapshotSplits()[0] as { index: number }).index)), ['c', 'd']);
  });
});
