import { TumblingEventTimeWindows } from '@rivulet/api';
import { auctions, persons } from '../views.js';
import type { NexmarkQuery } from './query.js';

export interface Q8Row {
  readonly id: number;
  readonly name: string;
  readonly stime: number;
}

const WINDOW_MS = 10_000;

/**
 * q8, monitor new users: people who entered the system and created an
 * auction in the same 10 s tumbling window. As the SQL groups auctions by
 * (seller, window) before the join, the sellers are first made distinct per
 * window (a reduce keeping one record, emitted at the window's
 * maxTimestamp, so it stays in its window), then window-joined with the
 * persons on person.id = seller.
 */
export const q8: NexmarkQuery = (events, sink) => {
  const sellers = auctions(events)
    .map((auction) => ({ seller: auction.seller }))
    .name('q8: seller')
    .keyBy((auction) => auction.seller)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .reduce((first) => first)
    .uid('q8-distinct-sellers')
    .name('q8: distinct sellers per window');
  sink(
    persons(events)
      .join(sellers)
      .where((person) => person.id)
      .equalTo((seller) => seller.seller)
      .window(TumblingEventTimeWindows.of(WINDOW_MS))
      .apply((person, _seller): Q8Row => ({ id: person.id, name: person.name, stime: Math.floor(person.dateTime / WINDOW_MS) * WINDOW_MS }))
      .uid('q8-join')
      .name('q8: join person.id = seller'),
  );
};
