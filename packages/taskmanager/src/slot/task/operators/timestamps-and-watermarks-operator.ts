import type { TimestampAssigner, WatermarkGenerator, WatermarkOutput, WatermarkStrategy } from '@rivulet/api';
import type { ElementTimestamp } from '../event-time/element-timestamp.js';
import type { WatermarkSink } from '../event-time/watermark-sink.js';
import type { Output } from '../output.js';

/** Work a chain member does on the clock, between records (the task wakes up for it). */
export interface PeriodicWork {
  /** Milliseconds until `onTick` is due (0: now), or undefined when it never is. */
  msUntilNextTick(now: number): number | undefined;
  /** Called when due (and maybe earlier: it checks). */
  onTick(now: number): void;
}

/**
 * assignTimestampsAndWatermarks() (Flink's TimestampsAndWatermarksOperator):
 * gives each record the timestamp the strategy's assigner returns, shows it
 * to the watermark generator (`onEvent`, which may emit), and passes it on;
 * every `intervalMs` it calls the generator's `onPeriodicEmit` (0: never).
 *
 * Invariants:
 * - the watermarks it emits strictly increase (one not above the last is dropped);
 * - watermarks from upstream are dropped, except +Infinity (the end of
 *   input), which is forwarded once; upstream statuses are dropped (this
 *   operator decides its own);
 * - with idleness, a tick finding no record for `idlenessMs` marks the
 *   output idle (and skips the generator); the next record or the next
 *   emitted watermark marks it active again;
 * - a timestamp that is not a finite number fails the task, naming the
 *   operator and the value.
 */
export class TimestampsAndWatermarksOperator implements Output, WatermarkSink, PeriodicWork {
  private readonly generator: WatermarkGenerator<unknown>;
  private readonly assigner: TimestampAssigner<unknown> | undefined;
  private readonly idlenessMs: number | undefined;
  private readonly output: WatermarkOutput;
  private currentWatermark = -Infinity;
  private idle = false;
  private lastActivity: number;
  private nextTickAt: number;

  constructor(
    strategy: WatermarkStrategy<unknown>,
    /** Names the operator in errors, e.g. `Timestamps/Watermarks (operator timestamps-strategy-1)`. */
    private readonly description: string,
    private readonly next: Output,
    private readonly watermarks: WatermarkSink,
    private readonly timestamp: ElementTimestamp,
    private readonly intervalMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.generator = strategy.createWatermarkGenerator();
    this.assigner = strategy.timestampAssigner;
    this.idlenessMs = strategy.idlenessMs;
    const now = clock();
    this.lastActivity = now;
    this.nextTickAt = now + intervalMs;
    this.output = {
      emitWatermark: (timestamp) => this.emitWatermark(timestamp),
      markIdle: () => this.markIdle(),
      markActive: () => this.markActive(),
    };
  }

  collect(record: unknown): void {
    const previous = this.timestamp.get();
    const assigned = this.assigner === undefined ? previous : this.assigner(record, previous);
    if (typeof assigned !== 'number' || !Number.isFinite(assigned)) {
      throw new Error(
        this.assigner === undefined
          ? `${this.description}: a record has no timestamp and the WatermarkStrategy has no timestamp assigner; add .withTimestampAssigner((record) => ...)`
          : `${this.description}: the timestamp assigner returned ${describe(assigned)}; an event timestamp must be a finite number of milliseconds`,
      );
    }
    this.timestamp.value = assigned;
    if (this.idlenessMs !== undefined) {
      this.lastActivity = this.clock();
      if (this.idle) this.markActive();
    }
    this.generator.onEvent(record, assigned, this.output);
    this.next.collect(record);
  }

  processWatermark(timestamp: number): void {
    if (timestamp !== Infinity || this.currentWatermark === Infinity) return;
    this.emitWatermark(Infinity);
  }

  processWatermarkStatus(): void {}

  msUntilNextTick(now: number): number | undefined {
    if (this.intervalMs <= 0 || this.currentWatermark === Infinity) return undefined;
    return Math.max(0, this.nextTickAt - now);
  }

  onTick(now: number): void {
    if (this.intervalMs <= 0 || now < this.nextTickAt || this.currentWatermark === Infinity) return;
    this.nextTickAt = now + this.intervalMs;
    if (this.idlenessMs !== undefined && now - this.lastActivity >= this.idlenessMs) {
      this.markIdle();
      return;
    }
    this.generator.onPeriodicEmit(this.output);
  }

  private emitWatermark(timestamp: number): void {
    if (typeof timestamp !== 'number' || Number.isNaN(timestamp)) {
      throw new Error(`${this.description}: the watermark generator emitted ${describe(timestamp)}; a watermark must be a number of milliseconds`);
    }
    if (!(timestamp > this.currentWatermark)) return;
    this.currentWatermark = timestamp;
    this.markActive();
    this.watermarks.processWatermark(timestamp);
  }

  private markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.watermarks.processWatermarkStatus(true);
  }

  private markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.watermarks.processWatermarkStatus(false);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value === null || value === undefined) return String(value);
  return `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
}
