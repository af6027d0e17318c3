import type { InputStatus, ReaderOutput, SourceReader, SourceReaderContext, SourceSplit } from '@rivulet/api';

/** A record as the test output received it. */
export interface Collected<T> {
  readonly record: T;
  readonly timestamp: number | undefined;
  readonly splitId: string | undefined;
}

/**
 * A ReaderOutput for tests: keeps every record with its timestamp and the
 * split output it came through, and per split the watermark a bounded-
 * out-of-orderness-0 strategy would give (the greatest timestamp so far).
 */
export class TestReaderOutput<T> implements ReaderOutput<T> {
  readonly records: Collected<T>[] = [];
  readonly splitWatermarks = new Map<string, number>();
  readonly released = new Set<string>();
  private readonly splitOutputs = new Map<string, ReaderOutput<T>>();

  collect(record: T, timestamp?: number): void {
    this.records.push({ record, timestamp, splitId: undefined });
  }

  emitWatermark(): void {}
  markIdle(): void {}
  markActive(): void {}

  createOutputForSplit(splitId: string): ReaderOutput<T> {
    let output = this.splitOutputs.get(splitId);
    if (output === undefined) {
      output = {
        collect: (record: T, timestamp?: number) => {
          this.records.push({ record, timestamp, splitId });
          if (timestamp !== undefined) this.splitWatermarks.set(splitId, Math.max(this.splitWatermarks.get(splitId) ?? -Infinity, timestamp));
        },
        emitWatermark: () => undefined,
        markIdle: () => undefined,
        markActive: () => undefined,
        createOutputForSplit: (id: string) => this.createOutputForSplit(id),
        releaseOutputForSplit: (id: string) => this.releaseOutputForSplit(id),
      };
      this.splitOutputs.set(splitId, output);
    }
    return output;
  }

  releaseOutputForSplit(splitId: string): void {
    this.released.add(splitId);
  }

  /** The source's watermark: the minimum over the splits not released. */
  sourceWatermark(): number {
    const active = [...this.splitWatermarks].filter(([id]) => !this.released.has(id)).map(([, watermark]) => watermark);
    return active.length === 0 ? Infinity : Math.min(...active);
  }
}

export function readerContext(subtaskIndex: number, parallelism: number): SourceReaderContext {
  return { subtaskIndex, parallelism, location: '127.0.0.1', sendSplitRequest: () => undefined, sendSourceEventToCoordinator: () => undefined };
}

/**
 * Drives a reader as the runtime does (pollNext, and isAvailable when it has
 * nothing) until `done` holds or the reader ends; fails after `timeoutMs`.
 */
export async function drive<T, S extends SourceSplit>(
  reader: SourceReader<T, S>,
  output: TestReaderOutput<T>,
  done: () => boolean,
  timeoutMs = 10_000,
): Promise<InputStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await reader.pollNext(output);
    if (status === 'END_OF_INPUT' || done()) return status;
    if (Date.now() > deadline) throw new Error(`reader did not get there within ${timeoutMs} ms (${output.records.length} records)`);
    if (status === 'NOTHING_AVAILABLE') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([reader.isAvailable(), new Promise((resolve) => (timer = setTimeout(resolve, 200)))]);
      clearTimeout(timer);
    }
  }
}
