import type { DataStream, SingleOutputStreamOperator } from '@rivulet/api';
import type { Auction, Bid, NexmarkEvent, Person } from './model.js';

/** The Flink suite's `person`, `auction` and `bid` views: one kind of event, unwrapped (chained to the source). */
export function persons(events: DataStream<NexmarkEvent>): SingleOutputStreamOperator<Person> {
  return events.flatMap<Person>((event, out) => {
    if (event.kind === 'person') out.collect(event.person);
  }).name('person');
}

export function auctions(events: DataStream<NexmarkEvent>): SingleOutputStreamOperator<Auction> {
  return events.flatMap<Auction>((event, out) => {
    if (event.kind === 'auction') out.collect(event.auction);
  }).name('auction');
}

export function bids(events: DataStream<NexmarkEvent>): SingleOutputStreamOperator<Bid> {
  return events.flatMap<Bid>((event, out) => {
    if (event.kind === 'bid') out.collect(event.bid);
  }).name('bid');
}
