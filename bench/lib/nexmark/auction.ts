import { AUCTION_PROPORTION, AVG_AUCTION_BYTE_SIZE, FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID, HOT_SELLERS_RATIO, NUM_IN_FLIGHT_AUCTIONS, TOTAL_PROPORTION, timestampForEvent, type GeneratorOptions } from './config.js';
import { lastBase0AuctionId, lastBase0PersonId, nextBase0PersonId } from './ids.js';
import type { Auction } from './model.js';
import { nextPrice } from './price.js';
import type { SeededRandom } from './random.js';
import { nextExtra, nextString } from './strings.js';

/** Nexmark's AuctionGenerator. */
const NUM_CATEGORIES = 5;
const HOT_SELLER_RATIO = 100;

/**
 * The auction of event `eventId` (event number `eventNumber`): the next
 * auction id; with probability 1 - 1/HOT_SELLERS_RATIO a hot seller (the
 * first person of the current block of 100), else a random recent person;
 * one of 5 categories; it expires on average when NUM_IN_FLIGHT_AUCTIONS more
 * auctions have been generated.
 */
export function nextAuction(eventId: number, eventNumber: number, random: SeededRandom, timestamp: number, options: GeneratorOptions): Auction {
  const id = lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
  const seller =
    (random.nextInt(HOT_SELLERS_RATIO) > 0
      ? Math.floor(lastBase0PersonId(eventId) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO
      : nextBase0PersonId(eventId, random)) + FIRST_PERSON_ID;
  const category = FIRST_CATEGORY_ID + random.nextInt(NUM_CATEGORIES);
  const initialBid = nextPrice(random);
  const expires = timestamp + nextAuctionLengthMs(eventNumber, random, timestamp, options);
  const itemName = nextString(random, 20);
  const description = nextString(random, 100);
  const reserve = initialBid + nextPrice(random);
  const currentSize = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
  const extra = nextExtra(random, currentSize, AVG_AUCTION_BYTE_SIZE);
  return { id, itemName, description, initialBid, reserve, dateTime: timestamp, expires, seller, category, extra };
}

/** A random auction length averaging the time until NUM_IN_FLIGHT_AUCTIONS more auctions exist. */
function nextAuctionLengthMs(eventNumber: number, random: SeededRandom, timestamp: number, options: GeneratorOptions): number {
  const numEventsForAuctions = Math.floor((NUM_IN_FLIGHT_AUCTIONS * TOTAL_PROPORTION) / AUCTION_PROPORTION);
  const horizonMs = timestampForEvent(eventNumber + numEventsForAuctions, options) - timestamp;
  return 1 + random.nextInt(Math.max(horizonMs * 2, 1));
}
