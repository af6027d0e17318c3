import type { RuntimeContext, SinkFunction } from '@rivulet/api';
import { createRecordCopySite, type RecordCopyContext, type RecordCopySite } from '../../../records/record-copy.js';
import type { ChainMember, Output } from '../output.js';
import { formatRecord } from './format-record.js';

/** print(): one line per record on the TaskManager's stdout, "<subtask>> record" as Flink prints. */
export class PrintSink implements Output, ChainMember {
  /** Formats each record at once, mutating and keeping nothing. */
  readonly acceptsShared = true;
  private readonly prefix: string;
  private lines: string[] = [];

  constructor(prefix: string | undefined, subtaskIndex: number, parallelism: number) {
    const task = parallelism > 1 ? `${subtaskIndex + 1}> ` : '';
    this.prefix = prefix ? `${prefix}:${task || ' '}` : task;
  }

  collect(record: unknown): void {
    this.lines.push(this.prefix + formatRecord(record));
    if (this.lines.length >= 1024) this.flush();
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    process.stdout.write(`${this.lines.join('\n')}\n`);
    this.lines = [];
  }

  drainPending(): undefined {
    this.flush();
    return undefined;
  }

  finish(): void {
    this.flush();
  }
}

/**
 * collect(name): gathers records for the client, returned with the FINISHED
 * report. It keeps what it is given, so with `copyContext` (object reuse
 * off, inside a chain) it keeps copies: what the emitter does to a record
 * afterwards is not in the result.
 */
export class CollectSink implements Output, ChainMember {
  static readonly MAX_RECORDS = 1_000_000;
  private readonly records: unknown[] = [];
  readonly acceptsShared: boolean;
  private readonly site: RecordCopySite | undefined;

  constructor(
    private readonly name: string,
    copyContext?: RecordCopyContext,
  ) {
    this.acceptsShared = copyContext !== undefined;
    this.site = copyContext === undefined ? undefined : createRecordCopySite(copyContext);
  }

  collect(record: unknown): void {
    if (this.records.length >= CollectSink.MAX_RECORDS) {
      throw new Error(`collect("${this.name}") gathered more than ${CollectSink.MAX_RECORDS} records; write large results with writeAsText`);
    }
    this.records.push(this.site === undefined ? record : this.site.copy(record));
  }

  result(): Record<string, unknown[]> {
    return { [this.name]: this.records };
  }
}

/** addSink(fn): the user's sink; asynchronous invocations are awaited between batches. */
export class CustomSink implements Output, ChainMember {
  private pending: Array<Promise<void>> = [];

  constructor(private readonly fn: SinkFunction<unknown>, private readonly context: RuntimeContext) {}

  async open(): Promise<void> {
    await this.fn.open?.(this.context);
  }

  collect(record: unknown): void {
    const result = this.fn.invoke(record);
    if (result && typeof (result as Promise<void>).then === 'function') this.pending.push(result as Promise<void>);
  }

  drainPending(): Promise<void> | undefined {
    if (this.pending.length === 0) return undefined;
    const pending = this.pending;
    this.pending = [];
    return Promise.all(pending).then(() => undefined);
  }

  async finish(): Promise<void> {
    await this.drainPending();
  }

  async close(): Promise<void> {
    await this.fn.close?.();
  }
}
