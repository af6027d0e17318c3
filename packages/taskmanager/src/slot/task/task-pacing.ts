import type { ElementTimestamp } from './event-time/element-timestamp.js';
import type { Output } from './output.js';

/**
 * How a task paces its loop on the slot's thread: a task yields only
 * between batches, so batches are cut to about YIELD_AFTER_MS of work — a
 * slow user function (5 ms per record) must not hold the thread, and every
 * other task of the slot, for a whole batch.
 */

/** The largest and the first source batch, in records (a source starts small and doubles while batches are quick). */
export const SOURCE_BATCH = 1024;
export const FIRST_SOURCE_BATCH = 16;
/** Records between two looks at the clock while a batch from the gate is processed. */
const SLICE_CHECK_RECORDS = 32;
/** A task yields to the event loop at least every this many batches... */
export const YIELD_EVERY_BATCHES = 8;
/** ...and at least this often, so slow user functions cannot starve heartbeats and I/O. */
export const YIELD_AFTER_MS = 10;

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The next source batch size: scaled toward YIELD_AFTER_MS per batch, between 1 and SOURCE_BATCH records. */
export function nextBatchSize(size: number, elapsedMs: number): number {
  if (elapsedMs > YIELD_AFTER_MS) return Math.max(1, Math.floor((size * YIELD_AFTER_MS) / elapsedMs));
  if (elapsedMs < YIELD_AFTER_MS / 4 && size < SOURCE_BATCH) return Math.min(SOURCE_BATCH, size * 2);
  return size;
}

/** A batch of records from the input gate, processed in slices (processSlice). */
export interface BatchInProgress {
  readonly records: readonly unknown[];
  readonly timestamps: ArrayLike<number> | undefined;
  /** The records' key groups as their producer routed them, when the head takes them (Output.collectInKeyGroup). */
  readonly keyGroups?: ArrayLike<number> | undefined;
  readonly head: Output;
  readonly timestamp: ElementTimestamp;
  readonly next: number;
}

/**
 * Hands the batch's records to the chain from `batch.next` on, for about
 * YIELD_AFTER_MS at most (the clock is read every SLICE_CHECK_RECORDS
 * records), and returns what is left, if anything: a slow user function
 * (5 ms per record) would otherwise hold the slot's thread, and every other
 * task of the slot, for a whole batch of up to 2,048 records.
 */
export function processSlice(batch: BatchInProgress): BatchInProgress | undefined {
  if (batch.keyGroups !== undefined) return processKeyedSlice(batch, batch.keyGroups);
  const { records, timestamps, head, timestamp } = batch;
  const deadline = performance.now() + YIELD_AFTER_MS;
  const end = records.length;
  let i = batch.next;
  if (timestamps === undefined) timestamp.value = NaN;
  while (i < end) {
    const stop = Math.min(end, i + SLICE_CHECK_RECORDS);
    if (timestamps === undefined) {
      for (; i < stop; i++) head.collect(records[i]);
    } else {
      for (; i < stop; i++) {
        timestamp.value = timestamps[i]!;
        head.collect(records[i]);
      }
    }
    if (i < end && performance.now() > deadline) return { ...batch, next: i };
  }
  return undefined;
}

/** processSlice for a batch with its records' key groups, handed to the head's `collectInKeyGroup`. */
function processKeyedSlice(batch: BatchInProgress, keyGroups: ArrayLike<number>): BatchInProgress | undefined {
  const { records, timestamps, head, timestamp } = batch;
  const deadline = performance.now() + YIELD_AFTER_MS;
  const end = records.length;
  let i = batch.next;
  if (timestamps === undefined) timestamp.value = NaN;
  while (i < end) {
    const stop = Math.min(end, i + SLICE_CHECK_RECORDS);
    if (timestamps === undefined) {
      for (; i < stop; i++) head.collectInKeyGroup!(records[i], keyGroups[i]!);
    } else {
      for (; i < stop; i++) {
        timestamp.value = timestamps[i]!;
        head.collectInKeyGroup!(records[i], keyGroups[i]!);
      }
    }
    if (i < end && performance.now() > deadline) return { ...batch, next: i };
  }
  return undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
