import type { Output } from '../output.js';

/** What `emit` says: true: more is available now; false: the input ended; 'wait': nothing now, see `whenAvailable`. */
export type EmitResult = boolean | 'wait';

/**
 * The source at the head of a source task's chain, as the task drives it
 * (implemented by SourceOperator, for every source: the built-in ones and
 * fromSource's). `emit` hands at most about `max` records to the chain and
 * says whether more are available now (true), none are for now ('wait':
 * the task then awaits `whenAvailable()`, or a trigger, without spinning)
 * or the input ended (false); it may be asynchronous (file reads).
 *
 * `snapshotSplits()` is the source's operator state: the unread remainder of
 * every split it holds, taken between two `emit` calls. A restored source is
 * given such splits — regrouped over the subtasks at a different
 * parallelism — and reads exactly what was not read before.
 *
 * It receives its enumerator's events (`handleOperatorEvent`, any time);
 * the task applies them (`applyEvents`) between batches, in their order
 * relative to checkpoint triggers: the events received before a trigger are
 * applied before that checkpoint is taken, the others after.
 */
export interface SourceReader {
  open?(): Promise<void>;
  emit(out: Output, max: number): EmitResult | Promise<EmitResult>;
  whenAvailable?(): Promise<void>;
  snapshotSplits(checkpointId: number): unknown[] | Promise<unknown[]>;
  /** How many operator events were received so far (applied or not). */
  readonly receivedEvents?: number;
  /** How many received operator events are not applied yet. */
  readonly pendingEvents?: number;
  handleOperatorEvent?(event: Uint8Array): void;
  /** Applies the received events up to the `upTo`-th (1-based count), in order. */
  applyEvents?(upTo: number): void;
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  close?(): Promise<void>;
}
