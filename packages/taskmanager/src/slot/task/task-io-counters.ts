import type { Output } from './output.js';

/**
 * Flink's numRecordsIn / numRecordsOut of one task: records it took from
 * its input gate (a source takes none), and records its chain emitted
 * towards other tasks — once per record on the main output (whatever the
 * number of edges), once per side-output edge a side-output record goes
 * to. Plain counters, read by the slot's periodic sample (slot-runtime.ts).
 */
export class TaskIoCounters {
  recordsIn = 0;
  recordsOut = 0;
}

/** Counts every record handed to `next` as a record out of the task. Keeps `next`'s ownership contract. */
export class CountingOutput implements Output {
  readonly acceptsShared: boolean | undefined;

  constructor(
    private readonly next: Output,
    private readonly counters: TaskIoCounters,
  ) {
    this.acceptsShared = next.acceptsShared;
  }

  collect(record: unknown): void {
    this.counters.recordsOut += 1;
    this.next.collect(record);
  }
}
