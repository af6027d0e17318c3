import { Deque } from '../../network/deque.js';

/** How a subpartition's batch size follows its consumer (Flink's buffer debloating, measured at the producer). */
export interface DebloatSettings {
  /** The in-flight data of a channel, in time at the rate its consumer takes it (Flink's `buffer-debloat.target`). */
  readonly targetMs: number;
  /** How often the rate is measured and the size recomputed (Flink's `buffer-debloat.period`). */
  readonly periodMs: number;
  /** Batches a channel can hold between this producer and the consumer's operator. */
  readonly inFlightBatches: number;
  /**
   * Smallest and largest batch, in the channel's unit (serialized bytes for
   * a channel through the control thread, records for one inside the
   * slot's thread); the first batches are cut at `initial`.
   */
  readonly min: number;
  readonly max: number;
  readonly initial: number;
}

/** A change smaller than this share of the current size is ignored (Flink's `threshold-percentages`, 25). */
const THRESHOLD = 0.25;
/** Weight of the newest period in the smoothed rate. */
const SMOOTHING = 0.5;
/** Most the size grows per period: batches already in flight were cut at the old size. */
const MAX_GROWTH = 2;

/**
 * Sizes one channel's batches so that what it has in flight (up to
 * `inFlightBatches` batches: queued here, in the network stack and in the
 * consumer's gate, or queued in the slot's thread) takes about `targetMs` for
 * its consumer to work through,
 * as Flink's buffer debloater does from the consumer's side: a barrier
 * then waits about that long behind in-flight records however slow the
 * consumer is, and a fast consumer gets batches up to `max`, which cost
 * fewer hand-overs per record.
 *
 * The consumer's rate is measured here, as the units of this channel's
 * batches taken (by the network, or by the consumer in this thread) per
 * second: under
 * backpressure that is the consumer's pace, and without it the producer's
 * (then the size goes to the maximum, bounded by the buffer timeout
 * for slow streams anyway).
 *
 * Invariants: `size` stays within [min, max]; it grows at most
 * MAX_GROWTH times per period and shrinks at once; every posted batch is
 * counted once when taken.
 */
export class BufferDebloater {
  private readonly posted = new Deque<number>();
  private takenUnits = 0;
  private windowStart: number;
  private rate: number | undefined;
  /** The size batches are cut at now, in the channel's unit. */
  size: number;

  constructor(
    private readonly settings: DebloatSettings,
    now: number,
  ) {
    this.windowStart = now;
    this.size = clamp(settings.initial, settings.min, settings.max);
  }

  /** A batch of `size` units left for the consumer. */
  onPosted(size: number): void {
    this.posted.push(size);
  }

  /** The oldest posted batch was taken at `now`; true when `size` changed. */
  onTaken(now: number): boolean {
    this.takenUnits += this.posted.shift() ?? 0;
    const elapsed = now - this.windowStart;
    if (elapsed < this.settings.periodMs) return false;
    const observed = (this.takenUnits * 1000) / elapsed;
    this.takenUnits = 0;
    this.windowStart = now;
    this.rate = this.rate === undefined ? observed : this.rate + SMOOTHING * (observed - this.rate);
    return this.resize();
  }

  /** Units per second the consumer took, smoothed; undefined before the first period. */
  get consumerRate(): number | undefined {
    return this.rate;
  }

  private resize(): boolean {
    const { settings } = this;
    const desired = ((this.rate ?? 0) * settings.targetMs) / 1000 / settings.inFlightBatches;
    const next = Math.round(clamp(Math.min(desired, this.size * MAX_GROWTH), settings.min, settings.max));
    const atBound = next === settings.min || next === settings.max;
    if (next === this.size || (!atBound && Math.abs(next - this.size) < THRESHOLD * this.size)) return false;
    this.size = next;
    return true;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
