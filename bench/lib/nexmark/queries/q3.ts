import type { Collector, KeyedContext, KeyedCoProcessFunction, ListState, RuntimeContext, ValueState } from '@rivulet/api';
import type { Auction, Person } from '../model.js';
import { auctions, persons } from '../views.js';
import type { NexmarkQuery } from './query.js';

export interface Q3Row {
  readonly name: string;
  readonly city: string;
  readonly state: string;
  readonly id: number;
}

interface SellerInfo {
  readonly name: string;
  readonly city: string;
  readonly state: string;
}

const LOCAL_STATES = new Set(['OR', 'ID', 'CA']);

/**
 * The incremental inner join of q3, keyed by seller = person id: a person is
 * kept once seen; an auction whose seller has not arrived yet waits in a
 * list and is emitted when the person comes (Nexmark's generator may name a
 * seller up to 10 people ahead of the last one generated).
 */
class LocalItemSuggestionJoin implements KeyedCoProcessFunction<number, Auction, Person, Q3Row> {
  private seller!: ValueState<SellerInfo>;
  private waiting!: ListState<number>;

  open(context: RuntimeContext): void {
    this.seller = context.getValueState<SellerInfo>('seller');
    this.waiting = context.getListState<number>('auctions-waiting-for-seller');
  }

  processElement1(auction: Auction, _ctx: KeyedContext<number>, out: Collector<Q3Row>): void {
    const seller = this.seller.value();
    if (seller === undefined) this.waiting.add(auction.id);
    else out.collect({ name: seller.name, city: seller.city, state: seller.state, id: auction.id });
  }

  processElement2(person: Person, _ctx: KeyedContext<number>, out: Collector<Q3Row>): void {
    const seller: SellerInfo = { name: person.name, city: person.city, state: person.state };
    this.seller.update(seller);
    const waiting = this.waiting.get();
    if (waiting.length === 0) return;
    for (const id of waiting) out.collect({ name: seller.name, city: seller.city, state: seller.state, id });
    this.waiting.clear();
  }
}

/** q3, local item suggestion: sellers in OR, ID or CA and their auctions of category 10. */
export const q3: NexmarkQuery = (events, sink) => {
  const localPersons = persons(events).filter((person) => LOCAL_STATES.has(person.state)).name('q3: state in OR, ID, CA');
  const category10 = auctions(events).filter((auction) => auction.category === 10).name('q3: category 10');
  sink(
    category10
      .keyBy((auction) => auction.seller)
      .connect(localPersons.keyBy((person) => person.id))
      .process(new LocalItemSuggestionJoin())
      .uid('q3-join')
      .name('q3: join seller = person'),
  );
};
