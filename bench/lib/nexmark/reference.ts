import type { Auction, Bid, NexmarkEvent, Person } from './model.js';
import type { NexmarkQueryName } from './queries/index.js';

/**
 * What each query must output, computed directly from the generated events
 * in the benchmark's own process (no windows, no state: sorting and
 * counting), and a canonical text per row so that a job's collected output
 * compares with it as a sorted list.
 */
export interface QueryReference {
  /** The expected rows, canonical. */
  expected(events: readonly NexmarkEvent[]): string[];
  /** The canonical text of one output row of the job. */
  canonical(row: unknown): string;
}

const bidText = (b: Bid): string => `${b.auction}|${b.bidder}|${b.price}|${b.dateTime}|${b.channel}|${b.url}|${b.extra}`;
const personText = (p: Person): string => `person|${p.id}|${p.name}|${p.emailAddress}|${p.creditCard}|${p.city}|${p.state}|${p.dateTime}|${p.extra}`;
const auctionText = (a: Auction): string =>
  `auction|${a.id}|${a.itemName}|${a.description}|${a.initialBid}|${a.reserve}|${a.dateTime}|${a.expires}|${a.seller}|${a.category}|${a.extra}`;

function eventText(event: NexmarkEvent): string {
  if (event.kind === 'person') return personText(event.person);
  if (event.kind === 'auction') return auctionText(event.auction);
  return `bid|${bidText(event.bid)}`;
}

const bidsOf = (events: readonly NexmarkEvent[]): Bid[] => events.flatMap((e) => (e.kind === 'bid' ? [e.bid] : []));
const personsOf = (events: readonly NexmarkEvent[]): Person[] => events.flatMap((e) => (e.kind === 'person' ? [e.person] : []));
const auctionsOf = (events: readonly NexmarkEvent[]): Auction[] => events.flatMap((e) => (e.kind === 'auction' ? [e.auction] : []));

type Row = Record<string, number | string>;
const fields = (row: unknown, names: readonly string[]): string => names.map((name) => String((row as Row)[name])).join('|');

const q1Text = (auction: number, bidder: number, price: number, dateTime: number, extra: string): string => `${auction}|${bidder}|${price.toFixed(3)}|${dateTime}|${extra}`;

/** Start of every sliding window (size, slide, offset 0) that holds `t` (Flink's SlidingEventTimeWindows). */
function slidingStarts(t: number, size: number, slide: number): number[] {
  const starts: number[] = [];
  for (let start = t - (((t % slide) + slide) % slide); start > t - size; start -= slide) starts.push(start);
  return starts;
}

function groupBy<T, K>(values: readonly T[], key: (value: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const value of values) {
    const k = key(value);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [value]);
    else group.push(value);
  }
  return groups;
}

const tumblingStart = (t: number, size: number): number => Math.floor(t / size) * size;

export const QUERY_REFERENCES: Record<NexmarkQueryName, QueryReference> = {
  generator: {
    expected: (events) => events.map(eventText),
    canonical: (row) => eventText(row as NexmarkEvent),
  },
  q0: {
    expected: (events) => bidsOf(events).map(bidText),
    canonical: (row) => bidText(row as Bid),
  },
  q1: {
    expected: (events) => bidsOf(events).map((b) => q1Text(b.auction, b.bidder, 0.908 * b.price, b.dateTime, b.extra)),
    canonical: (row) => {
      const r = row as { auction: number; bidder: number; price: number; dateTime: number; extra: string };
      return q1Text(r.auction, r.bidder, r.price, r.dateTime, r.extra);
    },
  },
  q2: {
    expected: (events) => bidsOf(events).filter((b) => b.auction % 123 === 0).map((b) => `${b.auction}|${b.price}`),
    canonical: (row) => fields(row, ['auction', 'price']),
  },
  q3: {
    expected: (events) => {
      const local = new Map(personsOf(events).filter((p) => ['OR', 'ID', 'CA'].includes(p.state)).map((p) => [p.id, p]));
      return auctionsOf(events).flatMap((a) => {
        const p = local.get(a.seller);
        return a.category === 10 && p !== undefined ? [`${p.name}|${p.city}|${p.state}|${a.id}`] : [];
      });
    },
    canonical: (row) => fields(row, ['name', 'city', 'state', 'id']),
  },
  q5: {
    expected: (events) => {
      const counts = new Map<number, Map<number, number>>(); // window end -> auction -> count
      for (const bid of bidsOf(events)) {
        for (const start of slidingStarts(bid.dateTime, 10_000, 2_000)) {
          const perAuction = counts.get(start + 10_000) ?? new Map<number, number>();
          counts.set(start + 10_000, perAuction);
          perAuction.set(bid.auction, (perAuction.get(bid.auction) ?? 0) + 1);
        }
      }
      const rows: string[] = [];
      for (const perAuction of counts.values()) {
        const max = Math.max(...perAuction.values());
        for (const [auction, num] of perAuction) if (num === max) rows.push(`${auction}|${num}`);
      }
      return rows;
    },
    canonical: (row) => fields(row, ['auction', 'num']),
  },
  q7: {
    expected: (events) => {
      const rows: string[] = [];
      for (const windowBids of groupBy(bidsOf(events), (b) => tumblingStart(b.dateTime, 10_000)).values()) {
        const max = Math.max(...windowBids.map((b) => b.price));
        for (const b of windowBids) if (b.price === max) rows.push(`${b.auction}|${b.price}|${b.bidder}|${b.dateTime}`);
      }
      return rows;
    },
    canonical: (row) => fields(row, ['auction', 'price', 'bidder', 'dateTime']),
  },
  q8: {
    expected: (events) => {
      const sellers = new Set(auctionsOf(events).map((a) => `${tumblingStart(a.dateTime, 10_000)}|${a.seller}`));
      return personsOf(events)
        .filter((p) => sellers.has(`${tumblingStart(p.dateTime, 10_000)}|${p.id}`))
        .map((p) => `${p.id}|${p.name}|${tumblingStart(p.dateTime, 10_000)}`);
    },
    canonical: (row) => fields(row, ['id', 'name', 'stime']),
  },
  q11: {
    expected: (events) => {
      const rows: string[] = [];
      for (const [bidder, bidderBids] of groupBy(bidsOf(events), (b) => b.bidder)) {
        const times = bidderBids.map((b) => b.dateTime).sort((a, b) => a - b);
        let start = times[0]!;
        let end = start + 10_000;
        let count = 0;
        for (const t of times) {
          if (t > end) {
            rows.push(`${bidder}|${count}|${start}|${end}`);
            start = t;
            count = 0;
          }
          end = Math.max(end, t + 10_000);
          count++;
        }
        rows.push(`${bidder}|${count}|${start}|${end}`);
      }
      return rows;
    },
    canonical: (row) => fields(row, ['bidder', 'bid_count', 'starttime', 'endtime']),
  },
};
