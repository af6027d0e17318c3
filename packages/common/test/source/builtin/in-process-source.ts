import type { InputStatus, ReaderOutput, SourceReader, SourceReaderContext, SourceSplit, SplitEnumeratorContext } from '@rivulet/api';
import { RECORD_BATCH_OUTPUT, type BuiltinSource, type OwnedSplitsCheckpoint, type RecordBatchOutput } from '../../../src/source/builtin/index.js';

/**
 * A built-in source run in this thread as the runtime runs it across
 * processes: its enumerator, one reader per subtask registered with it
 * (events go straight across, in order), checkpoints of both, and restores
 * that redistribute the readers' splits as the runtime does (new subtask i
 * takes old subtask k's splits when k mod p = i).
 */

/** What one run of a source gave: the records of each subtask, and the checkpoint taken at its end. */
export interface SourceRun<T, S extends SourceSplit> {
  readonly records: T[][];
  /** Whether each reader reached END_OF_INPUT. */
  readonly ended: boolean[];
  readonly readerStates: S[][];
  readonly enumeratorCheckpoint: OwnedSplitsCheckpoint<S>;
  /** The splits the enumerator assigned, per subtask. */
  readonly assigned: S[][];
}

export interface RunOptions<S extends SourceSplit> {
  /** Restore from this run's checkpoint (the readers' states redistributed over the new parallelism). */
  readonly from?: Pick<SourceRun<unknown, S>, 'readerStates' | 'enumeratorCheckpoint'>;
  /** Reader states to restore as they are, per new subtask (e.g. an older layout, mapped by splitsOfReaderState). */
  readonly readerStates?: readonly (readonly unknown[])[];
  readonly enumeratorCheckpoint?: unknown;
  /** Records each reader emits at most before the checkpoint is taken. */
  readonly limit?: (subtask: number) => number;
  /** Polls with the runtime's batch path (RecordBatchOutput) of this many records per poll, else through a plain ReaderOutput. */
  readonly batch?: number;
}

/** The splits of old subtask k go to new subtask k mod p (operator list state, as the runtime restores a source). */
export function redistribute<S>(states: readonly (readonly S[])[], parallelism: number): S[][] {
  const next = Array.from({ length: parallelism }, (): S[] => []);
  states.forEach((splits, k) => next[k % parallelism]!.push(...splits));
  return next;
}

export async function runSource<T, S extends SourceSplit>(source: BuiltinSource<T, S>, parallelism: number, options: RunOptions<S> = {}): Promise<SourceRun<T, S>> {
  const readers: SourceReader<T, S>[] = [];
  const assigned = Array.from({ length: parallelism }, (): S[] => []);
  const context: SplitEnumeratorContext<S> = {
    currentParallelism: () => parallelism,
    registeredReaders: () => new Map(readers.map((_, i) => [i, { subtaskId: i, location: 'localhost' }])),
    assignSplits: (assignment) => {
      for (const [subtask, splits] of assignment) {
        assigned[subtask]!.push(...splits);
        readers[subtask]!.addSplits(structuredClone([...splits]));
      }
    },
    assignSplit: (split, subtask) => context.assignSplits(new Map([[subtask, [split]]])),
    signalNoMoreSplits: (subtask) => readers[subtask]!.notifyNoMoreSplits(),
    sendEventToSourceReader: () => assert(false, 'built-in sources send no source events'),
    callAsync: () => assert(false, 'built-in enumerators call nothing asynchronously'),
  };
  const checkpoint = options.from?.enumeratorCheckpoint ?? options.enumeratorCheckpoint;
  const enumerator = checkpoint === undefined ? source.createEnumerator(context) : source.restoreEnumerator(context, checkpoint as OwnedSplitsCheckpoint<S>);
  await enumerator.start();
  const restored = options.from ? redistribute(options.from.readerStates, parallelism) : options.readerStates;
  for (let i = 0; i < parallelism; i++) {
    const readerContext: SourceReaderContext = {
      subtaskIndex: i,
      parallelism,
      location: 'localhost',
      sendSplitRequest: () => enumerator.handleSplitRequest(i, 'localhost'),
      sendSourceEventToCoordinator: () => assert(false, 'built-in readers send no source events'),
    };
    const reader = source.createReader(readerContext);
    readers.push(reader);
    const state = restored?.[i];
    if (state && state.length > 0) reader.addSplits(source.splitsOfReaderState(structuredClone([...state])));
  }
  for (let i = 0; i < parallelism; i++) {
    await readers[i]!.start();
    enumerator.addReader(i);
  }
  const records: T[][] = [];
  const ended: boolean[] = [];
  for (let i = 0; i < parallelism; i++) {
    const { emitted, end } = await drain(readers[i]!, options.limit?.(i) ?? Infinity, options.batch);
    records.push(emitted);
    ended.push(end);
  }
  const readerStates = await Promise.all(readers.map((reader) => reader.snapshotState(1)));
  const enumeratorCheckpoint = await enumerator.snapshotState(1);
  await Promise.all(readers.map((reader) => reader.close()));
  return { records, ended, readerStates: structuredClone(readerStates), enumeratorCheckpoint: structuredClone(enumeratorCheckpoint), assigned };
}

/** Polls `reader` until it ends or has emitted `limit` records (then it stops between two polls, as a checkpoint would). */
export async function drain<T>(reader: SourceReader<T, SourceSplit>, limit = Infinity, batch?: number): Promise<{ emitted: T[]; end: boolean }> {
  const emitted: T[] = [];
  let budget = 0;
  let count = 0;
  const output: ReaderOutput<T> & { [RECORD_BATCH_OUTPUT]?: RecordBatchOutput } = {
    collect: (record) => void emitted.push(record),
    emitWatermark: () => undefined,
    markIdle: () => undefined,
    markActive: () => undefined,
    createOutputForSplit: () => output,
    releaseOutputForSplit: () => undefined,
  };
  if (batch !== undefined) {
    output[RECORD_BATCH_OUTPUT] = {
      remaining: () => budget - count,
      records: { collect: (record) => void emitted.push(record as T) },
      emitted: (n) => void (count += n),
    };
  }
  for (let polls = 0; polls < 1_000_000; polls++) {
    if (emitted.length >= limit) return { emitted, end: false };
    count = 0;
    budget = Math.min(batch ?? Infinity, limit - emitted.length);
    const before = emitted.length;
    const status: InputStatus = await reader.pollNext(output);
    if (batch !== undefined) assert(count === emitted.length - before, `the reader reported ${count} records emitted on the batch path, and emitted ${emitted.length - before}`);
    if (status === 'END_OF_INPUT') return { emitted, end: true };
    if (status === 'NOTHING_AVAILABLE') return { emitted, end: false };
  }
  throw new Error('the reader did not end');
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
