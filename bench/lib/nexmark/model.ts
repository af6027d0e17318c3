/**
 * The Nexmark event model: an online auction's people, auctions and bids,
 * with the fields of Nexmark's schema (the Flink Nexmark suite's `person`,
 * `auction` and `bid` tables). Times are milliseconds since the epoch.
 */
export interface Person {
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  readonly extra: string;
}

export interface Auction {
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

export interface Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

/** One generated event: exactly one of the three, tagged by `kind` (Nexmark's Event with its event_type). */
export type NexmarkEvent =
  | { readonly kind: 'person'; readonly person: Person }
  | { readonly kind: 'auction'; readonly auction: Auction }
  | { readonly kind: 'bid'; readonly bid: Bid };

/** The event time of an event: its person's, auction's or bid's dateTime. */
export function eventTime(event: NexmarkEvent): number {
  switch (event.kind) {
    case 'person':
      return event.person.dateTime;
    case 'auction':
      return event.auction.dateTime;
    case 'bid':
      return event.bid.dateTime;
  }
}
