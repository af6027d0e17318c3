import type { ReaderOutput, TimestampAssigner, WatermarkGenerator, WatermarkOutput, WatermarkStrategy } from '@rivulet/api';
import { RECORD_BATCH_OUTPUT, type RecordBatchOutput } from '@rivulet/common/task-runtime';
import type { ElementTimestamp } from '../event-time/element-timestamp.js';
import type { WatermarkSink } from '../event-time/watermark-sink.js';
import type { PeriodicWork } from '../operators/timestamps-and-watermarks-operator.js';
import type { Output } from '../output.js';

/**
 * The ReaderOutput a Source API reader emits into (Flink's
 * ProgressiveTimestampsAndWatermarks): records get their timestamp from the
 * strategy's assigner (given the timestamp the reader passed, if any), else
 * keep the one the reader passed; every output — the reader's main one and
 * one per split (`createOutputForSplit`) — has a watermark generator of its
 * own, made by the source's WatermarkStrategy.
 *
 * Invariants:
 * - the source's watermark is the minimum over its active outputs (split
 *   outputs, and the main output once the reader used it); an idle output
 *   (markIdle, or no record for the strategy's idleness) does not hold it
 *   back; when every output is idle the source is idle;
 * - the watermarks sent downstream strictly increase;
 * - a released split output no longer counts;
 * - a timestamp or watermark that is not a number fails the task, naming the source;
 * - the batch path (RECORD_BATCH_OUTPUT, for the runtime's own readers) is
 *   offered only for a strategy with no per-record work (no timestamp
 *   assigner, no watermark generator, no idleness): records emitted there
 *   count as emitted through the main output.
 */
export class SourceReaderOutputs implements ReaderOutput<unknown>, PeriodicWork {
  private readonly main: SplitOutput;
  private readonly splits = new Map<string, SplitOutput>();
  private mainUsed = false;
  private emitted = -Infinity;
  private idle = false;
  private nextTickAt: number;
  /** Records emitted in the current `SourceOperator.emit` (it resets it). */
  count = 0;
  /** Records the current `SourceOperator.emit` asks for (it sets it). */
  budget = 0;
  readonly [RECORD_BATCH_OUTPUT]: RecordBatchOutput | undefined;

  constructor(
    private readonly strategy: WatermarkStrategy<unknown>,
    /** Names the source in errors, e.g. `source 'Events' (source-custom-0) (1/2)`. */
    readonly description: string,
    private readonly next: Output,
    private readonly timestamp: ElementTimestamp,
    private readonly watermarks: WatermarkSink,
    private readonly intervalMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.main = this.newOutput('');
    this.nextTickAt = clock() + intervalMs;
    this[RECORD_BATCH_OUTPUT] = doesNoRecordWork(strategy) ? this.batchOutput() : undefined;
  }

  collect(record: unknown, timestamp?: number): void {
    this.mainUsed = true;
    this.main.collect(record, timestamp);
  }

  emitWatermark(watermark: number): void {
    this.mainUsed = true;
    this.main.emitWatermark(watermark);
  }

  markIdle(): void {
    this.mainUsed = true;
    this.main.markIdle();
  }

  markActive(): void {
    this.mainUsed = true;
    this.main.markActive();
  }

  createOutputForSplit(splitId: string): ReaderOutput<unknown> {
    let output = this.splits.get(splitId);
    if (!output) {
      output = this.newOutput(splitId);
      this.splits.set(splitId, output);
    }
    return output;
  }

  releaseOutputForSplit(splitId: string): void {
    if (this.splits.delete(splitId)) this.combine();
  }

  /** The end of input: +Infinity, once. */
  endOfInput(): void {
    if (this.emitted === Infinity) return;
    this.emitted = Infinity;
    this.watermarks.processWatermark(Infinity);
  }

  msUntilNextTick(now: number): number | undefined {
    if (this.intervalMs <= 0 || this.emitted === Infinity) return undefined;
    return Math.max(0, this.nextTickAt - now);
  }

  onTick(now: number): void {
    if (this.intervalMs <= 0 || now < this.nextTickAt || this.emitted === Infinity) return;
    this.nextTickAt = now + this.intervalMs;
    if (this.mainUsed) this.main.onTick(now);
    for (const output of this.splits.values()) output.onTick(now);
  }

  private batchOutput(): RecordBatchOutput {
    return {
      remaining: () => this.budget - this.count,
      records: this.next,
      emitted: (count) => {
        this.count += count;
        this.mainUsed = true;
      },
    };
  }

  private newOutput(splitId: string): SplitOutput {
    return new SplitOutput(this.strategy, this.next, this.timestamp, () => this.combine(), this.clock, splitId === '' ? this.description : `${this.description}, split "${splitId}"`, () => this.count++);
  }

  /** Recomputes the source's watermark and status from its outputs, and sends what changed. */
  private combine(): void {
    let minimum = Infinity;
    let active = 0;
    const consider = (output: SplitOutput): void => {
      if (output.idle) return;
      active++;
      if (output.watermark < minimum) minimum = output.watermark;
    };
    if (this.mainUsed) consider(this.main);
    for (const output of this.splits.values()) consider(output);
    const allIdle = active === 0 && (this.mainUsed || this.splits.size > 0);
    if (allIdle !== this.idle) {
      this.idle = allIdle;
      this.watermarks.processWatermarkStatus(allIdle);
    }
    if (active > 0 && minimum > this.emitted && minimum !== Infinity) {
      this.emitted = minimum;
      this.watermarks.processWatermark(minimum);
    }
  }
}

/** Whether records emitted under `strategy` need nothing but to be passed on: no timestamp to assign, no watermark to generate, no idleness to watch. */
function doesNoRecordWork(strategy: WatermarkStrategy<unknown>): boolean {
  return strategy.timestampAssigner === undefined && strategy.idlenessMs === undefined && strategy.describe().generator === 'none';
}

/** One output (the main one or a split's): its own generator, watermark and idleness. */
class SplitOutput implements ReaderOutput<unknown> {
  private readonly generator: WatermarkGenerator<unknown>;
  private readonly assigner: TimestampAssigner<unknown> | undefined;
  private readonly idlenessMs: number | undefined;
  private readonly generatorOutput: WatermarkOutput;
  watermark = -Infinity;
  idle = false;
  private lastActivity: number;

  constructor(
    strategy: WatermarkStrategy<unknown>,
    private readonly next: Output,
    private readonly timestamp: ElementTimestamp,
    private readonly changed: () => void,
    private readonly clock: () => number,
    private readonly description: string,
    private readonly counted: () => void,
  ) {
    this.generator = strategy.createWatermarkGenerator();
    this.assigner = strategy.timestampAssigner;
    this.idlenessMs = strategy.idlenessMs;
    this.lastActivity = clock();
    this.generatorOutput = {
      emitWatermark: (watermark) => this.emitWatermark(watermark),
      markIdle: () => this.markIdle(),
      markActive: () => this.markActive(),
    };
  }

  collect(record: unknown, timestamp?: number): void {
    const assigned = this.assigner === undefined ? timestamp : this.assigner(record, timestamp);
    if (assigned !== undefined && (typeof assigned !== 'number' || !Number.isFinite(assigned))) {
      throw new Error(`${this.description}: the record's timestamp is ${String(assigned)}; an event timestamp must be a finite number of milliseconds`);
    }
    this.timestamp.value = assigned ?? NaN;
    if (this.idlenessMs !== undefined) this.lastActivity = this.clock();
    if (this.idle) this.markActive();
    if (assigned !== undefined) this.generator.onEvent(record, assigned, this.generatorOutput);
    this.counted();
    this.next.collect(record);
  }

  emitWatermark(watermark: number): void {
    if (typeof watermark !== 'number' || Number.isNaN(watermark)) {
      throw new Error(`${this.description}: a watermark must be a number of milliseconds, got ${String(watermark)}`);
    }
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    this.idle = false;
    this.changed();
  }

  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.changed();
  }

  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.changed();
  }

  createOutputForSplit(): ReaderOutput<unknown> {
    throw new Error(`${this.description}: createOutputForSplit is called on the reader's output, not on a split's`);
  }

  releaseOutputForSplit(): void {
    throw new Error(`${this.description}: releaseOutputForSplit is called on the reader's output, not on a split's`);
  }

  onTick(now: number): void {
    if (this.idlenessMs !== undefined && now - this.lastActivity >= this.idlenessMs) {
      this.markIdle();
      return;
    }
    this.generator.onPeriodicEmit(this.generatorOutput);
  }
}
