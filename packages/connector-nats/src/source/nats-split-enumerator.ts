import type { NatsConnection } from '@nats-io/transport-node';
import type { SplitEnumerator, SplitEnumeratorContext } from '@rivulet/api';
import { connectConnector, jetStreamManagerFor } from '../connection/connect.js';
import type { ConnectorLocation } from '../connection/nats-connector-error.js';
import { discoverSplits } from './discover-splits.js';
import type { NatsSourceOptions } from './nats-source-options.js';
import type { NatsSplit } from './nats-split.js';

/**
 * The enumerator's checkpoint: the filter subjects found at discovery (null
 * before it finished) and the splits not yet assigned to a reader.
 */
export interface NatsEnumeratorState {
  readonly version: 1;
  readonly discoveredFilters: readonly string[] | null;
  readonly unassigned: readonly NatsSplit[];
}

/**
 * Discovers the splits of a NatsSource once (at the first start; a restored
 * enumerator that had discovered them does not again) and assigns each split
 * to a fixed owner: the reader of subtask (index of its filter) mod
 * parallelism, so splits spread evenly and a split given back goes to the
 * same subtask when it registers again.
 *
 * Invariants: a split is either in `unassigned` or was handed to its owner;
 * a split is assigned only to a registered reader; in bounded mode, a reader
 * is told there are no more splits once discovery finished and none of its
 * splits waits.
 */
export class NatsSplitEnumerator<T> implements SplitEnumerator<NatsSplit, NatsEnumeratorState> {
  private readonly where: ConnectorLocation;
  private discoveredFilters: string[] | null;
  private readonly unassigned = new Map<string, NatsSplit>();
  private connection: NatsConnection | undefined;
  private closed = false;
  /** Bounded mode: readers told there are no more splits (since they last registered). */
  private readonly toldNoMoreSplits = new Set<number>();

  constructor(
    private readonly context: SplitEnumeratorContext<NatsSplit>,
    private readonly options: NatsSourceOptions<T>,
    where: ConnectorLocation,
    restored?: NatsEnumeratorState,
  ) {
    this.where = where;
    this.discoveredFilters = restored?.discoveredFilters ? [...restored.discoveredFilters] : null;
    for (const split of restored?.unassigned ?? []) this.unassigned.set(split.splitId, split);
  }

  start(): void {
    if (this.discoveredFilters !== null) {
      this.assignPending();
      return;
    }
    this.context.callAsync(
      () => this.discover(),
      (splits, error) => {
        if (error !== undefined) throw error;
        if (this.closed || splits === undefined) return;
        this.discoveredFilters = splits.map((split) => split.filterSubject);
        for (const split of splits) this.unassigned.set(split.splitId, split);
        this.assignPending();
      },
    );
  }

  handleSplitRequest(): void {
    // Splits are pushed to their owners; a request changes nothing.
  }

  addSplitsBack(splits: NatsSplit[]): void {
    for (const split of splits) this.unassigned.set(split.splitId, split);
    this.assignPending();
  }

  addReader(subtask: number): void {
    this.toldNoMoreSplits.delete(subtask);
    this.assignPending();
  }

  snapshotState(): NatsEnumeratorState {
    return { version: 1, discoveredFilters: this.discoveredFilters, unassigned: [...this.unassigned.values()] };
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  private async discover(): Promise<NatsSplit[]> {
    this.connection ??= await connectConnector(this.where, this.options);
    try {
      const manager = await jetStreamManagerFor(this.where, this.connection);
      return await discoverSplits(this.where, this.connection, manager, {
        stream: this.options.stream,
        subjects: this.options.subjects,
        startingPosition: this.options.startingPosition ?? { kind: 'earliest' },
        bounded: this.options.bounded === true,
      });
    } finally {
      // Discovery happens once: the connection is not needed afterwards.
      const connection = this.connection;
      this.connection = undefined;
      await connection.close().catch(() => undefined);
    }
  }

  /** The subtask that owns `split`: its filter's index in discovery order, mod parallelism. */
  private ownerOf(split: NatsSplit): number {
    const index = this.discoveredFilters?.indexOf(split.filterSubject) ?? -1;
    const parallelism = this.context.currentParallelism();
    return (index >= 0 ? index : 0) % parallelism;
  }

  private assignPending(): void {
    if (this.discoveredFilters === null) return;
    const readers = this.context.registeredReaders();
    const assignment = new Map<number, NatsSplit[]>();
    for (const split of this.unassigned.values()) {
      const owner = this.ownerOf(split);
      if (!readers.has(owner)) continue;
      const list = assignment.get(owner) ?? [];
      list.push(split);
      assignment.set(owner, list);
    }
    for (const splits of assignment.values()) for (const split of splits) this.unassigned.delete(split.splitId);
    if (assignment.size > 0) this.context.assignSplits(assignment);
    if (this.options.bounded === true) {
      const waiting = new Set([...this.unassigned.values()].map((split) => this.ownerOf(split)));
      for (const subtask of readers.keys()) {
        if (waiting.has(subtask) || this.toldNoMoreSplits.has(subtask)) continue;
        this.toldNoMoreSplits.add(subtask);
        this.context.signalNoMoreSplits(subtask);
      }
    }
  }
}
