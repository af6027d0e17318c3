/**
 * Combines the watermarks and watermark statuses of a task's input channels
 * into the task's input watermark and status (Flink's StatusWatermarkValve).
 *
 * Per channel: the last watermark (-Infinity before any), whether it is idle,
 * and whether it is "aligned" (active and at or past the last output
 * watermark). Invariants:
 * - the output watermark is the minimum over aligned channels and only moves
 *   forward; an idle channel does not hold it back;
 * - when every channel is idle the valve outputs idle; when one becomes active
 *   again it outputs active, and that channel counts in the minimum only once
 *   its watermark catches up with the output (so it never moves backwards);
 * - a channel that delivered end-of-data counts as active at +Infinity: it
 *   never holds the watermark back again (end-of-partition alone does not
 *   move it: see StreamTask, a stop with savepoint must fire nothing).
 */
export interface ValveOutput {
  /** The combined watermark advanced to `timestamp`. */
  watermark(timestamp: number): void;
  /** The combined status changed (every channel idle, or one active again). */
  status(idle: boolean): void;
}

interface ChannelState {
  watermark: number;
  idle: boolean;
  aligned: boolean;
}

export class StatusWatermarkValve {
  private readonly channels: ChannelState[];
  private lastOutputWatermark = -Infinity;
  private lastOutputIdle = false;

  constructor(
    numberOfChannels: number,
    private readonly output: ValveOutput,
  ) {
    this.channels = Array.from({ length: numberOfChannels }, () => ({ watermark: -Infinity, idle: false, aligned: true }));
  }

  /** The task's input watermark: -Infinity before any. */
  get currentWatermark(): number {
    return this.lastOutputWatermark;
  }

  get idle(): boolean {
    return this.lastOutputIdle;
  }

  inputWatermark(channel: number, timestamp: number): void {
    const state = this.channelAt(channel);
    // Flink ignores watermarks of a channel it believes idle (the producer marks itself active first).
    if (state.idle || !(timestamp > state.watermark)) return;
    state.watermark = timestamp;
    if (!state.aligned && timestamp >= this.lastOutputWatermark) state.aligned = true;
    this.outputMinOfAligned();
  }

  inputStatus(channel: number, idle: boolean): void {
    const state = this.channelAt(channel);
    if (idle && !state.idle) {
      state.idle = true;
      state.aligned = false;
      if (this.channels.every((c) => c.idle)) {
        // The last active channel went idle: what it held back is released (Flink flushes the maximum).
        if (state.watermark === this.lastOutputWatermark) this.outputMaxOfAll();
        this.lastOutputIdle = true;
        this.output.status(true);
      } else if (state.watermark === this.lastOutputWatermark) {
        this.outputMinOfAligned();
      }
    } else if (!idle && state.idle) {
      state.idle = false;
      if (state.watermark >= this.lastOutputWatermark) state.aligned = true;
      if (this.lastOutputIdle) {
        this.lastOutputIdle = false;
        this.output.status(false);
      }
    }
  }

  /** The channel delivered end-of-data or end-of-partition: it counts as active at +Infinity from now on. */
  channelEnded(channel: number): void {
    const state = this.channelAt(channel);
    if (state.idle) this.inputStatus(channel, false);
    this.inputWatermark(channel, Infinity);
  }

  private outputMinOfAligned(): void {
    let min = Infinity;
    let anyAligned = false;
    for (const c of this.channels) {
      if (!c.aligned) continue;
      anyAligned = true;
      if (c.watermark < min) min = c.watermark;
    }
    if (anyAligned && min > this.lastOutputWatermark) {
      this.lastOutputWatermark = min;
      this.output.watermark(min);
    }
  }

  private outputMaxOfAll(): void {
    let max = -Infinity;
    for (const c of this.channels) if (c.watermark > max) max = c.watermark;
    if (max > this.lastOutputWatermark) {
      this.lastOutputWatermark = max;
      this.output.watermark(max);
    }
  }

  private channelAt(channel: number): ChannelState {
    const state = this.channels[channel];
    if (state === undefined) throw new RangeError(`the watermark valve has no channel ${channel} (it has ${this.channels.length})`);
    return state;
  }
}
