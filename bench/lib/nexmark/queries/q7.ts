import { TumblingEventTimeWindows, type Collector, type TimeWindow } from '@rivulet/api';
import type { Bid } from '../model.js';
import { bids } from '../views.js';
import type { NexmarkQuery } from './query.js';
import { maxAggregate } from './window-aggregates.js';

export interface Q7Row {
  readonly auction: number;
  readonly price: number;
  readonly bidder: number;
  readonly dateTime: number;
  readonly extra: string;
}

interface WindowMax {
  readonly maxPrice: number;
  readonly windowEnd: number;
}

const WINDOW_MS = 10_000;

/**
 * q7, highest bid: the maximum price of each 10 s tumbling window, joined
 * back (on price, in the same window) to the bids of that window. The
 * maximum is taken in two steps so that no single subtask sees every bid:
 * per auction, then per window over the auctions' maxima. Both carry the
 * window's maxTimestamp, so they fall in the same window as its bids.
 */
export const q7: NexmarkQuery = (events, sink) => {
  const allBids = bids(events);
  const perAuction = allBids
    .keyBy((bid) => bid.auction)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .aggregate(maxAggregate<Bid>((bid) => bid.price), (_auction: number, ctx, [max], out: Collector<WindowMax>) => {
      out.collect({ maxPrice: max!, windowEnd: (ctx.window() as TimeWindow).end });
    })
    .uid('q7-max-per-auction')
    .name('q7: max price per auction');
  const perWindow = perAuction
    .keyBy((max) => max.windowEnd)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .reduce((a, b) => (a.maxPrice >= b.maxPrice ? a : b))
    .uid('q7-max-per-window')
    .name('q7: max price per window');
  sink(
    allBids
      .join(perWindow)
      .where((bid) => bid.price)
      .equalTo((max) => max.maxPrice)
      .window(TumblingEventTimeWindows.of(WINDOW_MS))
      .apply((bid, _max): Q7Row => ({ auction: bid.auction, price: bid.price, bidder: bid.bidder, dateTime: bid.dateTime, extra: bid.extra }))
      .uid('q7-join')
      .name('q7: bids at the max price'),
  );
};
