/**
 * The generator's parameters: Nexmark's defaults (the Flink Nexmark suite's
 * NexmarkConfiguration and GeneratorConfig) plus the two this benchmark
 * varies, the event-time rate and the out-of-orderness.
 */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;

export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
export const TOTAL_PROPORTION = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

export const NUM_ACTIVE_PEOPLE = 1000;
export const NUM_IN_FLIGHT_AUCTIONS = 100;
export const HOT_AUCTION_RATIO = 2;
export const HOT_SELLERS_RATIO = 4;
export const HOT_BIDDERS_RATIO = 4;
export const AVG_PERSON_BYTE_SIZE = 200;
export const AVG_AUCTION_BYTE_SIZE = 500;
export const AVG_BID_BYTE_SIZE = 100;

export interface GeneratorOptions {
  /** Events per second of event time over all generators (Nexmark's firstEventRate). */
  readonly eventsPerSecond: number;
  /**
   * Nexmark's outOfOrderGroupSize: events are permuted within consecutive
   * groups of this many, so an event is at most about
   * `outOfOrderGroupSize / eventsPerSecond` seconds out of order. 1: in order.
   */
  readonly outOfOrderGroupSize: number;
  /** Event time of event 0 (ms since the epoch). */
  readonly baseTime: number;
}

/** 2024-01-01T00:00:00Z: a fixed, window-aligned base time keeps runs reproducible. */
export const DEFAULT_BASE_TIME = 1_704_067_200_000;

export function checkGeneratorOptions(options: GeneratorOptions): GeneratorOptions {
  const { eventsPerSecond, outOfOrderGroupSize, baseTime } = options;
  if (!(Number.isFinite(eventsPerSecond) && eventsPerSecond > 0)) throw new Error(`nexmark: the event rate must be a positive number of events per second, not ${eventsPerSecond}`);
  if (!(Number.isSafeInteger(outOfOrderGroupSize) && outOfOrderGroupSize >= 1 && outOfOrderGroupSize % 953 !== 0)) {
    throw new Error(`nexmark: the out-of-order group size must be an integer >= 1 and not a multiple of 953, not ${outOfOrderGroupSize}`);
  }
  if (!Number.isSafeInteger(baseTime)) throw new Error(`nexmark: the base time must be an integer number of ms, not ${baseTime}`);
  return options;
}

/**
 * The event number an event is generated with at position `position` of the
 * stream (Nexmark's nextAdjustedEventNumber): the position permuted within
 * its group of `outOfOrderGroupSize` (953 is prime, so the map is a
 * permutation of each whole group).
 */
export function adjustedEventNumber(position: number, groupSize: number): number {
  if (groupSize === 1) return position;
  const base = Math.floor(position / groupSize) * groupSize;
  return base + ((position % groupSize) * 953) % groupSize;
}

/** Event time of event number `eventNumber` (Nexmark's timestampForEvent with a constant rate). */
export function timestampForEvent(eventNumber: number, options: GeneratorOptions): number {
  const interEventDelayUs = 1_000_000 / options.eventsPerSecond;
  return options.baseTime + Math.floor(Math.floor(eventNumber * interEventDelayUs) / 1000);
}
