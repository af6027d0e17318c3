import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TransactionalFileSink } from '../../../src/slot/task/sinks/transactional-file-sink.js';

const root = mkdtempSync(join(tmpdir(), 'rivulet-2pc-'));
after(() => rmSync(root, { recursive: true, force: true }));

function visibleLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
}

async function write(sink: TransactionalFileSink, records: string[]): Promise<void> {
  for (const r of records) sink.collect(r);
  await sink.drainPending();
}

describe('exactly-once file sink (two-phase commit)', () => {
  test('records become visible only when their checkpoint completes', async () => {
    const dir = join(root, 'visibility');
    const sink = new TransactionalFileSink(dir, 0, 1, 'run1', undefined);
    await sink.open();
    await write(sink, ['a', 'b']);
    assert.deepEqual(visibleLines(dir), []);
    await sink.snapshotState(1);
    await write(sink, ['c']);
    assert.deepEqual(visibleLines(dir), [], 'checkpoint 1 is not complete yet');
    await sink.notifyCheckpointComplete(1);
    assert.deepEqual(visibleLines(dir), ['a', 'b']);
    await sink.finish();
    assert.deepEqual(visibleLines(dir), ['a', 'b', 'c']);
    assert.ok(readdirSync(dir).every((f) => !f.endsWith('.inprogress')));
  });

  test('after a failure, a restore from the last checkpoint leaves every record visible exactly once', async () => {
    const dir = join(root, 'restore');
    const first = new TransactionalFileSink(dir, 0, 1, 'run1', undefined);
    await first.open();
    await write(first, ['1', '2']);
    const state = await first.snapshotState(7);
    await write(first, ['3', '4']); // after checkpoint 7: will be replayed by the source
    await first.snapshotState(8); // checkpoint 8 never completes
    await write(first, ['5']);
    first.close(); // the TaskManager dies before checkpoint 7's notification arrives

    assert.deepEqual(visibleLines(dir), []);
    const second = new TransactionalFileSink(dir, 0, 1, 'run2', state);
    await second.open(); // commits checkpoint 7's pending files, drops the rest
    assert.deepEqual(visibleLines(dir), ['1', '2']);
    await write(second, ['3', '4', '5']); // the replay
    await second.finish();
    assert.deepEqual(visibleLines(dir).sort(), ['1', '2', '3', '4', '5']);
    assert.ok(readdirSync(dir).every((f) => !f.endsWith('.inprogress')), `left: ${readdirSync(dir).join(', ')}`);

    const again = new TransactionalFileSink(dir, 0, 1, 'run3', state);
    await again.open(); // restoring the same checkpoint twice commits nothing twice
    await again.finish();
    assert.deepEqual(visibleLines(dir).sort(), ['1', '2', '3', '4', '5']);
  });

  test('a rescaled restore cleans up the in-progress files of the old subtasks mapped to it', async () => {
    const dir = join(root, 'rescale');
    const old = [0, 1, 2].map((i) => new TransactionalFileSink(dir, i, 3, 'old', undefined));
    for (const [i, sink] of old.entries()) {
      await sink.open();
      await write(sink, [`x${i}`]);
      sink.close();
    }
    const fresh = [0, 1].map((i) => new TransactionalFileSink(dir, i, 2, `new${i}`, { pending: [] }));
    for (const sink of fresh) await sink.open();
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.inprogress')), []);
  });
});
