/**
 * The push interface inside an operator chain: an operator hands each of
 * its results to the next operator's `collect`, as a plain function call.
 */
export interface Output {
  collect(record: unknown): void;
}

/** Hands every record to each of several outputs (an operator with several downstream edges). */
export class FanOutOutput implements Output {
  constructor(private readonly outputs: readonly Output[]) {}

  collect(record: unknown): void {
    for (const output of this.outputs) output.collect(record);
  }
}

/** Lifecycle hooks of chained operators and sinks; all optional. */
export interface ChainMember {
  open?(): void | Promise<void>;
  /** Called once at end of input, head first, before downstream is told. */
  finish?(): void | Promise<void>;
  close?(): void | Promise<void>;
  /** Sinks: what they gathered for the client (collect sinks). */
  result?(): Record<string, unknown[]> | undefined;
  /** Promises returned by asynchronous user sinks since the last call. */
  drainPending?(): Promise<void> | undefined;
  /** Checkpoint: this member's state at the barrier (a JSON value); called before the barrier is forwarded. */
  snapshotState?(checkpointId: number): unknown;
  /** The checkpoint completed everywhere (two-phase-commit sinks commit). */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
}
