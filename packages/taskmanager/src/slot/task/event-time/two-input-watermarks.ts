import { StatusWatermarkValve, type ValveOutput } from './status-watermark-valve.js';

/** What the task loop feeds channel events into: a valve over the task's input channels. */
export interface InputValve {
  /** The task's input watermark (-Infinity before any). */
  readonly currentWatermark: number;
  inputWatermark(channel: number, timestamp: number): void;
  inputStatus(channel: number, idle: boolean): void;
  channelEnded(channel: number): void;
}

/**
 * The watermark of an operator with two inputs (Flink's two-input operator
 * with its CombinedWatermarkStatus): each input first combines its own
 * channels (a StatusWatermarkValve each), then the operator's watermark is
 * the minimum over the inputs that are not idle, and only moves forward; the
 * operator is idle when both inputs are. An input that ended is at +Infinity.
 */
export class TwoInputWatermarks implements InputValve {
  private readonly valves: readonly [StatusWatermarkValve, StatusWatermarkValve];
  private readonly watermarks = [-Infinity, -Infinity];
  private readonly idle = [false, false];
  private combined = -Infinity;
  private combinedIdle = false;
  /** Gate channel -> [input 0 or 1, channel within that input]. */
  private readonly route: readonly (readonly [number, number])[];

  constructor(
    /** The input (1 or 2) of each channel of the task's gate, in gate order. */
    channelInputs: readonly (1 | 2)[],
    private readonly output: ValveOutput,
  ) {
    const counts = [0, 0];
    this.route = channelInputs.map((input) => {
      const i = input - 1;
      return [i, counts[i]!++] as const;
    });
    const valveOf = (i: number): StatusWatermarkValve =>
      new StatusWatermarkValve(counts[i]!, {
        watermark: (timestamp) => this.inputWatermarkAdvanced(i, timestamp),
        status: (idle) => this.inputIdleChanged(i, idle),
      });
    this.valves = [valveOf(0), valveOf(1)];
  }

  get currentWatermark(): number {
    return this.combined;
  }

  inputWatermark(channel: number, timestamp: number): void {
    const [input, local] = this.routeOf(channel);
    this.valves[input]!.inputWatermark(local, timestamp);
  }

  inputStatus(channel: number, idle: boolean): void {
    const [input, local] = this.routeOf(channel);
    this.valves[input]!.inputStatus(local, idle);
  }

  channelEnded(channel: number): void {
    const [input, local] = this.routeOf(channel);
    this.valves[input]!.channelEnded(local);
  }

  private inputWatermarkAdvanced(input: number, timestamp: number): void {
    this.watermarks[input] = timestamp;
    this.update();
  }

  private inputIdleChanged(input: number, idle: boolean): void {
    this.idle[input] = idle;
    this.update();
  }

  private update(): void {
    let min = Infinity;
    let allIdle = true;
    for (let i = 0; i < 2; i++) {
      if (this.idle[i]) continue;
      allIdle = false;
      if (this.watermarks[i]! < min) min = this.watermarks[i]!;
    }
    if (!allIdle && min > this.combined) {
      this.combined = min;
      this.output.watermark(min);
    }
    if (allIdle !== this.combinedIdle) {
      this.combinedIdle = allIdle;
      this.output.status(allIdle);
    }
  }

  private routeOf(channel: number): readonly [number, number] {
    const route = this.route[channel];
    if (route === undefined) throw new RangeError(`the two-input watermark valve has no channel ${channel} (it has ${this.route.length})`);
    return route;
  }
}

/** The valve of a task: one StatusWatermarkValve over every channel, or a TwoInputWatermarks when some channel feeds input 2. */
export function createInputValve(channelInputs: readonly (1 | 2)[], output: ValveOutput): InputValve {
  return channelInputs.includes(2) ? new TwoInputWatermarks(channelInputs, output) : new StatusWatermarkValve(channelInputs.length, output);
}
