import { createRecordCopySite, type RecordCopyContext, type RecordCopySite } from '../../records/record-copy.js';

/**
 * The push interface inside an operator chain: an operator hands each of
 * its results to the next operator's `collect`, as a plain function call.
 *
 * Ownership (object reuse off, the default): a record handed to `collect`
 * belongs to the receiver, which may mutate or keep it, unless the receiver
 * says it `acceptsShared`. Whoever keeps or shares a reference (a keyed
 * operator's state, a source's elements, a fan-out) hands over a copy
 * instead (`exclusiveInput`), so no user function can change state or
 * another operator's input by mutating what it received.
 */
export interface Output {
  collect(record: unknown): void;
  /**
   * A keyed operator at the head of a chain: `collect` of a record whose
   * key group its producer computed with the same key selector and max
   * parallelism (-1: unknown), so the backend need not hash the key again.
   */
  collectInKeyGroup?(record: unknown, keyGroup: number): void;
  /**
   * True when this output may be handed a record that others still hold:
   * it reads it at once and neither mutates nor keeps it (print, file
   * sinks), or copies what it keeps (collect). Absent: user code receives
   * the record, or the runtime keeps it (a network batch), so it needs a
   * record of its own.
   */
  readonly acceptsShared?: boolean;
}

/** Hands every record to `next` as a copy of its own (copyRecord: fails for a record the network could not send). */
export class CopyingOutput implements Output {
  readonly acceptsShared = true;
  private readonly site: RecordCopySite;

  constructor(
    private readonly next: Output,
    context: RecordCopyContext,
  ) {
    this.site = createRecordCopySite(context);
  }

  collect(record: unknown): void {
    this.next.collect(this.site.copy(record));
  }
}

/**
 * Where an operator that keeps what it emits (keyed state, elements)
 * writes: `next` itself when it accepts shared records or the job reuses
 * objects, else `next` behind a copy.
 */
export function exclusiveInput(next: Output, objectReuse: boolean, context: RecordCopyContext): Output {
  return objectReuse || next.acceptsShared === true ? next : new CopyingOutput(next, context);
}

/**
 * Hands every record to each of several outputs (an operator with several
 * downstream edges). Without object reuse, every output but the last that
 * needs a record of its own gets a copy (Flink's copying broadcast
 * collector); outputs that accept shared records get the original before
 * the last one may mutate it.
 */
export class FanOutOutput implements Output {
  private readonly outputs: readonly Output[];
  readonly acceptsShared: boolean;

  constructor(outputs: readonly Output[], objectReuse = true, context?: RecordCopyContext) {
    this.outputs = objectReuse || context === undefined
      ? outputs
      : outputs.map((output, i) => (i === outputs.length - 1 ? output : exclusiveInput(output, false, context)));
    this.acceptsShared = !objectReuse && this.outputs.every((output) => output.acceptsShared === true);
  }

  collect(record: unknown): void {
    for (const output of this.outputs) output.collect(record);
  }
}

/** Lifecycle hooks of chained operators and sinks; all optional. */
export interface ChainMember {
  open?(): void | Promise<void>;
  /**
   * Every input ended with the end of data (a bounded input; never at a stop
   * with savepoint): called once, before the final checkpoint's barrier or,
   * without checkpointing, before `finish` (sinks flush(true), as Flink's endInput).
   */
  endInput?(): void | Promise<void>;
  /** Called once at end of input, head first, before downstream is told. */
  finish?(): void | Promise<void>;
  close?(): void | Promise<void>;
  /** Sinks: what they gathered for the client (collect sinks). */
  result?(): Record<string, unknown[]> | undefined;
  /** Promises returned by asynchronous user sinks since the last call. */
  drainPending?(): Promise<void> | undefined;
  /** Checkpoint: this member's state at the barrier (a JSON value); called before the barrier is forwarded. `timestamp`: the checkpoint's. */
  snapshotState?(checkpointId: number, timestamp: number): unknown;
  /** The checkpoint completed everywhere (two-phase-commit sinks commit). */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
}
