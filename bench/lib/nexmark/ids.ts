import { AUCTION_PROPORTION, NUM_ACTIVE_PEOPLE, NUM_IN_FLIGHT_AUCTIONS, PERSON_PROPORTION, TOTAL_PROPORTION } from './config.js';
import type { SeededRandom } from './random.js';

/**
 * Person and auction ids as Nexmark derives them from the event id: ids are
 * dense (base 0 here, FIRST_*_ID added by the generators), and "the last
 * person/auction so far" is known from the event id alone, so bids and
 * auctions can refer to recent people and auctions without any state.
 */
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;

/** The last person id (base 0) generated at or before event `eventId`. */
export function lastBase0PersonId(eventId: number): number {
  const epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let offset = eventId % TOTAL_PROPORTION;
  if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
  return epoch * PERSON_PROPORTION + offset;
}

/** The last auction id (base 0) generated at or before event `eventId`. */
export function lastBase0AuctionId(eventId: number): number {
  let epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let offset = eventId % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) {
    epoch--;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    offset = AUCTION_PROPORTION - 1;
  } else {
    offset -= PERSON_PROPORTION;
  }
  return epoch * AUCTION_PROPORTION + offset;
}

/** A random one of the last NUM_ACTIVE_PEOPLE people, or one of the next PERSON_ID_LEAD not yet generated. */
export function nextBase0PersonId(eventId: number, random: SeededRandom): number {
  const numPeople = lastBase0PersonId(eventId) + 1;
  const activePeople = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
  return numPeople - activePeople + random.nextInt(activePeople + PERSON_ID_LEAD);
}

/** A random one of the last NUM_IN_FLIGHT_AUCTIONS auctions, or one of the next AUCTION_ID_LEAD not yet generated. */
export function nextBase0AuctionId(eventId: number, random: SeededRandom): number {
  const maxAuction = lastBase0AuctionId(eventId);
  const minAuction = Math.max(maxAuction - NUM_IN_FLIGHT_AUCTIONS, 0);
  return minAuction + random.nextInt(maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
}
