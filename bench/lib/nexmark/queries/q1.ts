import { bids } from '../views.js';
import type { NexmarkQuery } from './query.js';

export interface Q1Row {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly dateTime: number;
  readonly extra: string;
}

/** q1, currency conversion: each bid with its price in euros (price × 0.908). */
export const q1: NexmarkQuery = (events, sink) =>
  sink(
    bids(events)
      .map((bid): Q1Row => ({ auction: bid.auction, bidder: bid.bidder, price: 0.908 * bid.price, dateTime: bid.dateTime, extra: bid.extra }))
      .name('q1: to euros'),
  );
