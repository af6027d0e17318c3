import { AUCTION_PROPORTION, PERSON_PROPORTION, TOTAL_PROPORTION, adjustedEventNumber, checkGeneratorOptions, timestampForEvent, type GeneratorOptions } from './config.js';
import { nextAuction } from './auction.js';
import { nextBid } from './bid.js';
import type { NexmarkEvent } from './model.js';
import { nextPerson } from './person.js';
import { SeededRandom } from './random.js';

/**
 * Nexmark's generator as a pure function of the position in the stream:
 * `eventAt(p)` is the same event whichever subtask asks and in whichever
 * order. Position p is generated as event number adjustedEventNumber(p)
 * (the out-of-order permutation), which is also its event id: of every 50
 * ids, 1 is a person, 3 are auctions and 46 are bids.
 */
export class NexmarkGenerator {
  private readonly random = new SeededRandom();
  readonly options: GeneratorOptions;

  constructor(options: GeneratorOptions) {
    this.options = checkGeneratorOptions(options);
  }

  eventAt(position: number): NexmarkEvent {
    const eventNumber = adjustedEventNumber(position, this.options.outOfOrderGroupSize);
    const eventId = eventNumber;
    const timestamp = timestampForEvent(eventNumber, this.options);
    const random = this.random.reseed(eventId);
    const rem = eventId % TOTAL_PROPORTION;
    if (rem < PERSON_PROPORTION) return { kind: 'person', person: nextPerson(eventId, random, timestamp) };
    if (rem < PERSON_PROPORTION + AUCTION_PROPORTION) return { kind: 'auction', auction: nextAuction(eventId, eventNumber, random, timestamp, this.options) };
    return { kind: 'bid', bid: nextBid(eventId, random, timestamp) };
  }
}
