import { Deque } from '../../control/network/deque.js';

/** How a subpartition's batch size follows its consumer (Flink's buffer debloating, measured at the producer). */
export interface DebloatSettings {
  /** The in-flight data of a channel, in time at the rate its consumer takes it (Flink's `buffer-debloat.target`). */
  readonly targetMs: number;
  /** How often the rate is measured and the size recomputed (Flink's `buffer-debloat.period`). */
  readonly periodMs: number;
  /** Batches a channel can hold between this producer and the consumer's operator. */
  readonly inFlightBatches: number;
  /** Smallest and largest batch, in serialized bytes; the first batches use `initialBytes`. */
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly initialBytes: number;
}

/** A change smaller than this share of the current size is ignored (Flink's `threshold-percentages`, 25). */
const THRESHOLD = 0.25;
/** Weight of the newest period in the smoothed rate. */
const SMOOTHING = 0.5;
/** Most the size grows per period: batches already in flight were cut at the old size. */
const MAX_GROWTH = 2;

/**
 * Sizes one subpartition's batches so that what it has in flight (up to
 * `inFlightBatches` batches: queued here, in the network stack and in the
 * consumer's gate) takes about `targetMs` for its consumer to work through,
 * as Flink's buffer debloater does from the consumer's side: a barrier
 * then waits about that long behind in-flight records however slow the
 * consumer is, and a fast consumer gets batches up to `maxBytes`, which cost
 * fewer hand-overs per record.
 *
 * The consumer's rate is measured here, as the bytes of this
 * subpartition's batches taken by the network per second: under
 * backpressure that is the consumer's pace, and without it the producer's
 * (then the size goes to the maximum, bounded by the buffer timeout
 * for slow streams anyway).
 *
 * Invariants: `bytes` stays within [minBytes, maxBytes]; it grows at most
 * MAX_GROWTH times per period and shrinks at once; every posted batch is
 * counted once when taken.
 */
export class BufferDebloater {
  private readonly posted = new Deque<number>();
  private takenBytes = 0;
  private windowStart: number;
  private rate: number | undefined;
  /** The size batches are cut at now, in serialized bytes. */
  bytes: number;

  constructor(
    private readonly settings: DebloatSettings,
    now: number,
  ) {
    this.windowStart = now;
    this.bytes = clamp(settings.initialBytes, settings.minBytes, settings.maxBytes);
  }

  /** A batch of `bytes` left for the network. */
  onPosted(bytes: number): void {
    this.posted.push(bytes);
  }

  /** The oldest posted batch was taken at `now`; true when `bytes` changed. */
  onTaken(now: number): boolean {
    this.takenBytes += this.posted.shift() ?? 0;
    const elapsed = now - this.windowStart;
    if (elapsed < this.settings.periodMs) return false;
    const observed = (this.takenBytes * 1000) / elapsed;
    this.takenBytes = 0;
    this.windowStart = now;
    this.rate = this.rate === undefined ? observed : this.rate + SMOOTHING * (observed - this.rate);
    return this.resize();
  }

  /** Bytes per second the consumer took, smoothed; undefined before the first period. */
  get consumerRate(): number | undefined {
    return this.rate;
  }

  private resize(): boolean {
    const { settings } = this;
    const desired = ((this.rate ?? 0) * settings.targetMs) / 1000 / settings.inFlightBatches;
    const next = Math.round(clamp(Math.min(desired, this.bytes * MAX_GROWTH), settings.minBytes, settings.maxBytes));
    const atBound = next === settings.minBytes || next === settings.maxBytes;
    if (next === this.bytes || (!atBound && Math.abs(next - this.bytes) < THRESHOLD * this.bytes)) return false;
    this.bytes = next;
    return true;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
