import { SlidingEventTimeWindows, TumblingEventTimeWindows, type AggregateFunction, type Collector, type TimeWindow } from '@rivulet/api';
import { bids } from '../views.js';
import type { NexmarkQuery } from './query.js';
import { countAggregate } from './window-aggregates.js';

export interface Q5Row {
  readonly auction: number;
  readonly num: number;
}

interface AuctionCount {
  readonly auction: number;
  readonly num: number;
  readonly endtime: number;
}

interface HottestSoFar {
  num: number;
  auctions: number[];
}

/** The largest count of a window and every auction that has it (ties all win, as `num >= maxn` in the SQL). */
const hottest: AggregateFunction<AuctionCount, HottestSoFar, HottestSoFar> = {
  createAccumulator: () => ({ num: -1, auctions: [] }),
  add: (count, acc) => {
    if (count.num > acc.num) return { num: count.num, auctions: [count.auction] };
    if (count.num === acc.num) acc.auctions.push(count.auction);
    return acc;
  },
  getResult: (acc) => acc,
  merge: (a, b) => (a.num > b.num ? a : b.num > a.num ? b : { num: a.num, auctions: [...a.auctions, ...b.auctions] }),
};

const SIZE_MS = 10_000;
const SLIDE_MS = 2_000;

/**
 * q5, hot items: bids per auction in sliding windows of 10 s every 2 s, then
 * per window the auctions with the most bids. The counts of a window carry
 * its maxTimestamp (end - 1), so a tumbling window of one slide keyed by the
 * window's end gathers exactly one sliding window's counts.
 */
export const q5: NexmarkQuery = (events, sink) => {
  const counts = bids(events)
    .keyBy((bid) => bid.auction)
    .window(SlidingEventTimeWindows.of(SIZE_MS, SLIDE_MS))
    .aggregate(countAggregate(), (auction: number, ctx, nums, out: Collector<AuctionCount>) => {
      out.collect({ auction, num: nums[0]!, endtime: (ctx.window() as TimeWindow).end });
    })
    .uid('q5-count-per-auction')
    .name('q5: bids per auction (10 s every 2 s)');
  sink(
    counts
      .keyBy((count) => count.endtime)
      .window(TumblingEventTimeWindows.of(SLIDE_MS))
      .aggregate(hottest, (_endtime: number, _ctx, [top], out: Collector<Q5Row>) => {
        for (const auction of top!.auctions) out.collect({ auction, num: top!.num });
      })
      .uid('q5-max-per-window')
      .name('q5: hottest auctions per window'),
  );
};
