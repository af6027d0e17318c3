import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Sink } from '@rivulet/api';
import type { OperatorListStateSnapshot } from '@rivulet/common/task-runtime';
import { SinkWriterOperator } from '../../../src/slot/task/sinks/sink-writer-operator.js';
import { TextFileSink } from '../../../src/slot/task/sinks/transactional-file-sink.js';

const root = mkdtempSync(join(tmpdir(), 'rivulet-2pc-'));
after(() => rmSync(root, { recursive: true, force: true }));

function visibleLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
}

const inProgress = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.inprogress'));

/** writeAsText's sink as the runtime runs it: subtask `index` of `parallelism`, deployment `token`. */
function fileSink(dir: string, index: number, parallelism: number, token: string, restored?: OperatorListStateSnapshot | null): SinkWriterOperator {
  return new SinkWriterOperator({
    sink: new TextFileSink(dir, token) as Sink<unknown, unknown, unknown>,
    operatorId: 'sink',
    description: `sink 'Sink: Text File' (operator sink) (${index + 1}/${parallelism})`,
    init: { subtaskIndex: index, parallelism, attemptNumber: 0, restoredCheckpointId: restored ? 1 : undefined, jobId: 'job' },
    restored: restored ?? undefined,
    timestamp: () => undefined,
    watermark: () => -Infinity,
    acceptsShared: true,
  });
}

async function write(sink: SinkWriterOperator, records: string[]): Promise<void> {
  for (const r of records) sink.collect(r);
  await sink.drainPending();
}

describe('exactly-once file sink (two-phase commit on the Sink API)', () => {
  test('records become visible only when their checkpoint completes', async () => {
    const dir = join(root, 'visibility');
    const sink = fileSink(dir, 0, 1, 'run1');
    await sink.open();
    await write(sink, ['a', 'b']);
    assert.deepEqual(visibleLines(dir), []);
    await sink.snapshotState(1);
    await write(sink, ['c']);
    assert.deepEqual(visibleLines(dir), [], 'checkpoint 1 is not complete yet');
    await sink.notifyCheckpointComplete(1);
    assert.deepEqual(visibleLines(dir), ['a', 'b']);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('part-')), ['part-0-run1-0'], 'named as before: part-<subtask>-<token>-<n>');
    await sink.endInput();
    await sink.finish();
    assert.deepEqual(visibleLines(dir), ['a', 'b', 'c']);
    assert.deepEqual(inProgress(dir), []);
  });

  test('after a failure, a restore from the last checkpoint leaves every record visible exactly once', async () => {
    const dir = join(root, 'restore');
    const first = fileSink(dir, 0, 1, 'run1');
    await first.open();
    await write(first, ['1', '2']);
    const state = await first.snapshotState(7);
    await write(first, ['3', '4']); // after checkpoint 7: will be replayed by the source
    await first.snapshotState(8); // checkpoint 8 never completes
    await write(first, ['5']);
    await first.close(); // the TaskManager dies before checkpoint 7's notification arrives

    assert.deepEqual(visibleLines(dir), []);
    const second = fileSink(dir, 0, 1, 'run2', state);
    await second.open(); // commits checkpoint 7's files
    assert.deepEqual(visibleLines(dir), ['1', '2']);
    await write(second, ['3', '4', '5']); // the replay
    await second.endInput();
    await second.finish();
    assert.deepEqual(visibleLines(dir).sort(), ['1', '2', '3', '4', '5']);
    assert.deepEqual(inProgress(dir), [], 'the first commit of run2 deleted the in-progress files of run1');

    const again = fileSink(dir, 0, 1, 'run3', state);
    await again.open(); // restoring the same checkpoint twice commits nothing twice
    await again.endInput();
    await again.finish();
    assert.deepEqual(visibleLines(dir).sort(), ['1', '2', '3', '4', '5']);
  });

  test('a rescaled restore cleans up the in-progress files of the old subtasks mapped to it, once its own file is committed', async () => {
    const dir = join(root, 'rescale');
    const old = [0, 1, 2].map((i) => fileSink(dir, i, 3, 'old'));
    for (const [i, sink] of old.entries()) {
      await sink.open();
      await write(sink, [`x${i}`]);
      await sink.snapshotState(1); // a checkpoint that never completes
      await sink.close();
    }
    assert.equal(inProgress(dir).length, 3);
    const fresh = [0, 1].map((i) => fileSink(dir, i, 2, `new${i}`, { format: 'rivulet.operator-list-state.v1', lists: [] }));
    for (const sink of fresh) await sink.open();
    assert.equal(inProgress(dir).length, 3, 'not before a checkpoint after the restore completed: another subtask may still commit them');
    for (const [i, sink] of fresh.entries()) {
      await write(sink, [`y${i}`]);
      await sink.snapshotState(2);
      await sink.notifyCheckpointComplete(2);
    }
    assert.deepEqual(inProgress(dir), []);
    assert.deepEqual(visibleLines(dir).sort(), ['y0', 'y1']);
  });
});
