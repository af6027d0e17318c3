import { bids } from '../views.js';
import type { NexmarkQuery } from './query.js';

export interface Q2Row {
  readonly auction: number;
  readonly price: number;
}

/** q2, selection: the auction and price of bids on auctions whose id is a multiple of 123. */
export const q2: NexmarkQuery = (events, sink) =>
  sink(
    bids(events)
      .flatMap<Q2Row>((bid, out) => {
        if (bid.auction % 123 === 0) out.collect({ auction: bid.auction, price: bid.price });
      })
      .name('q2: auction % 123 = 0'),
  );
