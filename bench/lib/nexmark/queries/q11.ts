import { EventTimeSessionWindows, type Collector, type TimeWindow } from '@rivulet/api';
import { bids } from '../views.js';
import type { NexmarkQuery } from './query.js';
import { countAggregate } from './window-aggregates.js';

export interface Q11Row {
  readonly bidder: number;
  readonly bid_count: number;
  readonly starttime: number;
  readonly endtime: number;
}

/** q11, user sessions: bids per bidder per session (a session ends after 10 s without a bid of that bidder). */
export const q11: NexmarkQuery = (events, sink) =>
  sink(
    bids(events)
      .keyBy((bid) => bid.bidder)
      .window(EventTimeSessionWindows.withGap(10_000))
      .aggregate(countAggregate(), (bidder: number, ctx, [count], out: Collector<Q11Row>) => {
        const window = ctx.window() as TimeWindow;
        out.collect({ bidder, bid_count: count!, starttime: window.start, endtime: window.end });
      })
      .uid('q11-sessions')
      .name('q11: bids per bidder session'),
  );
