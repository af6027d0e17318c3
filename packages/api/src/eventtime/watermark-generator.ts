/** Where a WatermarkGenerator emits (Flink's WatermarkOutput). */
export interface WatermarkOutput {
  /**
   * Emits a watermark: no record with a timestamp <= `timestamp` is expected
   * any more. A watermark not above the last one emitted is ignored. Emitting
   * a watermark marks the output active again.
   */
  emitWatermark(timestamp: number): void;
  /** No watermarks will come for a while: downstream stops waiting for this input. */
  markIdle(): void;
  /** The output is active again (also implied by the next watermark). */
  markActive(): void;
}

/**
 * Generates watermarks from the records' timestamps (Flink's
 * WatermarkGenerator): `onEvent` sees every record with its assigned
 * timestamp, `onPeriodicEmit` is called every `pipeline.auto-watermark-interval`
 * milliseconds (default 200). Either may emit.
 */
export interface WatermarkGenerator<T> {
  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** Extracts a record's event timestamp (ms); `recordTimestamp` is the timestamp it already has, if any. */
export type TimestampAssigner<T> = (record: T, recordTimestamp: number | undefined) => number;

/**
 * Flink's BoundedOutOfOrdernessWatermarks: periodically emits the highest
 * timestamp seen minus the bound minus 1 (records may arrive up to
 * `outOfOrdernessMs` late without being late); nothing before the first record.
 */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp = -Infinity;

  constructor(private readonly outOfOrdernessMs: number) {}

  onEvent(_event: T, eventTimestamp: number): void {
    if (eventTimestamp > this.maxTimestamp) this.maxTimestamp = eventTimestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.maxTimestamp !== -Infinity) output.emitWatermark(this.maxTimestamp - this.outOfOrdernessMs - 1);
  }
}

/** Emits no watermarks (Flink's NoWatermarksGenerator). */
export class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  onEvent(): void {}
  onPeriodicEmit(): void {}
}
