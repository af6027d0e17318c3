import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Sink, SinkWriter, WriterInitContext } from '@rivulet/api';
import { redistributeOperatorListState, type OperatorListStateSnapshot } from '@rivulet/common/task-runtime';
import { SinkWriterOperator } from '../../../../src/slot/task/sinks/sink-writer-operator.js';

interface Batch {
  readonly writer: string;
  readonly records: string[];
}

/**
 * A two-phase-commit sink in memory: each writer buffers records and hands
 * them over as one committable per checkpoint; `committed` is the visible
 * output (idempotent: a batch is committed once by its id). `log` records
 * every call in order.
 */
function memorySink(log: string[], committed: Map<string, string[]>): Sink<string, Batch & { id: string }, string> {
  let batchNumber = 0;
  const writer = (context: WriterInitContext, restored: string[] | undefined): SinkWriter<string, Batch & { id: string }, string> => {
    const name = `w${context.subtaskIndex}`;
    let buffer: string[] = [];
    if (restored) log.push(`${name} restored [${restored.join(',')}]`);
    return {
      async write(record) {
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`${name} write ${record}`);
        buffer.push(record);
      },
      flush: (endOfInput) => void log.push(`${name} flush ${endOfInput}`),
      prepareCommit() {
        log.push(`${name} prepareCommit`);
        const batch = { id: `${name}-${batchNumber++}`, writer: name, records: buffer };
        buffer = [];
        return batch.records.length === 0 ? [] : [batch];
      },
      snapshotState: (checkpointId) => [`${name}@${checkpointId}`],
      close: () => undefined,
    };
  };
  return {
    createWriter: (context) => writer(context, undefined),
    restoreWriter: (context, state) => writer(context, state),
    createCommitter: () => ({
      async commit(requests) {
        for (const { committable } of requests) {
          log.push(`commit ${committable.id}`);
          if (!committed.has(committable.id)) committed.set(committable.id, committable.records);
        }
      },
    }),
  };
}

function operator(sink: Sink<unknown, unknown, unknown>, subtaskIndex: number, parallelism: number, restored?: OperatorListStateSnapshot): SinkWriterOperator {
  return new SinkWriterOperator({
    sink,
    operatorId: 'sink-1',
    description: `sink 'Memory' (operator sink-1) (${subtaskIndex + 1}/${parallelism})`,
    init: { subtaskIndex, parallelism, attemptNumber: restored ? 1 : 0, restoredCheckpointId: restored ? 5 : undefined, jobId: 'job' },
    restored,
    timestamp: () => undefined,
    watermark: () => -Infinity,
  });
}

async function write(op: SinkWriterOperator, records: string[]): Promise<void> {
  for (const r of records) op.collect(r);
  await op.drainPending();
}

const visible = (committed: Map<string, string[]>): string[] => [...committed.values()].flat().sort();

describe('the Sink API operator', () => {
  test('awaits each write in order; at a barrier flush, prepareCommit, snapshotState; commits on completion only', async () => {
    const log: string[] = [];
    const committed = new Map<string, string[]>();
    const op = operator(memorySink(log, committed) as Sink<unknown, unknown, unknown>, 0, 1);
    await op.open();
    await write(op, ['a', 'b', 'c']);
    await op.snapshotState(1);
    assert.deepEqual(log, ['w0 write a', 'w0 write b', 'w0 write c', 'w0 flush false', 'w0 prepareCommit']);
    assert.deepEqual(visible(committed), [], 'nothing is visible before the checkpoint completed');
    await write(op, ['d']);
    await op.snapshotState(2);
    await op.notifyCheckpointComplete(1);
    assert.deepEqual(visible(committed), ['a', 'b', 'c']);
    await op.notifyCheckpointComplete(2);
    assert.deepEqual(visible(committed), ['a', 'b', 'c', 'd']);
  });

  test('a restore commits the restored committables before the writer exists, and gives it the writer states', async () => {
    const log: string[] = [];
    const committed = new Map<string, string[]>();
    const sink = memorySink(log, committed) as Sink<unknown, unknown, unknown>;
    const first = operator(sink, 0, 1);
    await first.open();
    await write(first, ['1', '2']);
    const state = (await first.snapshotState(5))!;
    await write(first, ['3']); // after the checkpoint: replayed after the restore
    // The TaskManager dies before the notification of checkpoint 5.
    log.length = 0;
    const second = operator(sink, 0, 1, state);
    await second.open();
    assert.deepEqual(log, ['commit w0-0', 'w0 restored [w0@5]'], 'commit first, then the writer');
    assert.deepEqual(visible(committed), ['1', '2']);
    await write(second, ['3']);
    await second.endInput();
    await second.finish();
    assert.deepEqual(visible(committed), ['1', '2', '3']);
  });

  test('on rescale the committables and writer states are redistributed: each committed exactly once', async () => {
    const log: string[] = [];
    const committed = new Map<string, string[]>();
    const sink = memorySink(log, committed) as Sink<unknown, unknown, unknown>;
    const old = [operator(sink, 0, 3), operator(sink, 1, 3), operator(sink, 2, 3)];
    const states: { subtaskIndex: number; state: OperatorListStateSnapshot }[] = [];
    for (const [i, op] of old.entries()) {
      await op.open();
      await write(op, [`x${i}`]);
      await op.snapshotState(4);
      await write(op, [`y${i}`]);
      states.push({ subtaskIndex: i, state: (await op.snapshotState(5))! });
    }
    // Checkpoint 5 completed, but no subtask got its notification.
    for (const parallelism of [1, 2]) {
      log.length = 0;
      const shares = redistributeOperatorListState('sink-1', states as never, parallelism, true);
      for (const [i, share] of shares.entries()) await operator(sink, i, parallelism, share).open();
      const commits = log.filter((l) => l.startsWith('commit ')).sort();
      assert.deepEqual(commits, ['commit w0-0', 'commit w0-1', 'commit w1-2', 'commit w1-3', 'commit w2-4', 'commit w2-5'], `parallelism ${parallelism}`);
      const restoredStates = log.filter((l) => l.includes('restored')).join(' ');
      for (const i of [0, 1, 2]) assert.equal(restoredStates.split(`w${i}@5`).length - 1, 1, `the writer state of old subtask ${i} is restored once`);
    }
    assert.deepEqual(visible(committed), ['x0', 'x1', 'x2', 'y0', 'y1', 'y2']);
  });

  test('end of a bounded input: flush(true), committed after the final checkpoint; a stop with savepoint commits nothing at finish', async () => {
    const log: string[] = [];
    const committed = new Map<string, string[]>();
    const sink = memorySink(log, committed) as Sink<unknown, unknown, unknown>;
    const bounded = operator(sink, 0, 1);
    await bounded.open();
    await write(bounded, ['e']);
    await bounded.endInput();
    assert.ok(log.includes('w0 flush true'));
    await bounded.snapshotState(9); // the final checkpoint
    assert.equal(log.filter((l) => l.startsWith('w0 flush')).length, 1, 'no flush after the end of input');
    assert.deepEqual(visible(committed), []);
    await bounded.notifyCheckpointComplete(9);
    assert.deepEqual(visible(committed), ['e']);

    const stopped = operator(sink, 1, 2);
    await stopped.open();
    await write(stopped, ['s']);
    await stopped.snapshotState(10); // the savepoint of a stop, whose notification never came
    await stopped.finish();
    assert.deepEqual(visible(committed), ['e'], 'the savepoint did not complete: nothing of it is committed');
  });

  test('watermarks that advance reach writeWatermark in order with the records, and pass on', async () => {
    const log: string[] = [];
    const slow: Sink<string> = {
      createWriter: () => ({
        write: async (record) => {
          await new Promise((resolve) => setImmediate(resolve));
          log.push(`write ${record}`);
        },
        writeWatermark: (watermark) => void log.push(`watermark ${watermark}`),
        flush: () => undefined,
        close: () => undefined,
      }),
    };
    const op = operator(slow as Sink<unknown, unknown, unknown>, 0, 1);
    await op.open();
    const passed: number[] = [];
    const watermarks = op.watermarksThrough({ processWatermark: (w) => void passed.push(w), processWatermarkStatus: () => undefined });
    op.collect('a');
    watermarks.processWatermark(5);
    watermarks.processWatermark(3);
    op.collect('b');
    await op.drainPending();
    assert.deepEqual(log, ['write a', 'watermark 5', 'write b']);
    assert.deepEqual(passed, [5, 3], 'the chain end decides what it forwards');
  });

  test('without a committer the writer is flushed at each barrier; committables then are an error naming the sink', async () => {
    const flushes: boolean[] = [];
    const atLeastOnce: Sink<unknown> = { createWriter: () => ({ write: () => undefined, flush: (end) => void flushes.push(end), close: () => undefined }) };
    const op = operator(atLeastOnce as Sink<unknown, unknown, unknown>, 0, 1);
    await op.open();
    await write(op, ['a']);
    await op.snapshotState(1);
    assert.deepEqual(flushes, [false]);

    const broken = { createWriter: () => ({ write: () => undefined, flush: () => undefined, prepareCommit: () => ['c'], close: () => undefined }) };
    const bad = operator(broken as Sink<unknown, unknown, unknown>, 0, 1);
    await bad.open();
    await assert.rejects(bad.snapshotState(1), /sink 'Memory' \(operator sink-1\) \(1\/1\): prepareCommit returned committables but the sink has no createCommitter/);
  });
});
