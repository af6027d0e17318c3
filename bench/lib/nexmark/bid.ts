import { AVG_BID_BYTE_SIZE, FIRST_AUCTION_ID, FIRST_PERSON_ID, HOT_AUCTION_RATIO, HOT_BIDDERS_RATIO } from './config.js';
import { lastBase0AuctionId, lastBase0PersonId, nextBase0AuctionId, nextBase0PersonId } from './ids.js';
import type { Bid } from './model.js';
import { nextPrice } from './price.js';
import { SeededRandom } from './random.js';
import { nextExtra, nextString } from './strings.js';

/** Nexmark's BidGenerator (the Flink suite's version, with channel and url). */
const HOT_AUCTION_BLOCK = 100;
const HOT_BIDDER_BLOCK = 100;
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

function baseUrl(random: SeededRandom): string {
  return `https://www.nexmark.com/${nextString(random, 5, '_')}/${nextString(random, 5, '_')}/${nextString(random, 5, '_')}/item.htm?query=1`;
}

/** Integer.reverse of a non-negative int, as Java computes it, then Math.abs. */
function reversedBits(value: number): number {
  let result = 0;
  for (let i = 0; i < 32; i++) result = (result << 1) | ((value >>> i) & 1);
  return Math.abs(result | 0);
}

interface Channels {
  readonly hotUrls: readonly string[];
  readonly names: readonly string[];
  readonly urls: readonly string[];
}

let channels: Channels | undefined;

/** The 4 hot channels' urls and the 10,000 other channels, made once per process from a fixed seed. */
function channelTable(): Channels {
  if (channels === undefined) {
    const random = new SeededRandom(0xc4a77e1);
    const hotUrls = HOT_CHANNELS.map(() => baseUrl(random));
    const names: string[] = [];
    const urls: string[] = [];
    for (let i = 0; i < CHANNELS_NUMBER; i++) {
      const url = baseUrl(random);
      names.push(`channel-${i}`);
      urls.push(random.nextInt(10) > 0 ? `${url}&channel_id=${reversedBits(i)}` : url);
    }
    channels = { hotUrls, names, urls };
  }
  return channels;
}

/**
 * The bid of event `eventId`: with probability 1 - 1/HOT_AUCTION_RATIO on
 * the hot auction (the first of the current block of 100 auctions), else on
 * a random in-flight auction; with probability 1 - 1/HOT_BIDDERS_RATIO by the
 * hot bidder (the second person of the current block of 100), else by a
 * random recent person; half the bids come through one of 4 hot channels.
 */
export function nextBid(eventId: number, random: SeededRandom, timestamp: number): Bid {
  const auction =
    (random.nextInt(HOT_AUCTION_RATIO) > 0
      ? Math.floor(lastBase0AuctionId(eventId) / HOT_AUCTION_BLOCK) * HOT_AUCTION_BLOCK
      : nextBase0AuctionId(eventId, random)) + FIRST_AUCTION_ID;
  const bidder =
    (random.nextInt(HOT_BIDDERS_RATIO) > 0
      ? Math.floor(lastBase0PersonId(eventId) / HOT_BIDDER_BLOCK) * HOT_BIDDER_BLOCK + 1
      : nextBase0PersonId(eventId, random)) + FIRST_PERSON_ID;
  const price = nextPrice(random);
  const table = channelTable();
  let channel: string;
  let url: string;
  if (random.nextInt(HOT_CHANNELS_RATIO) > 0) {
    const i = random.nextInt(HOT_CHANNELS.length);
    channel = HOT_CHANNELS[i]!;
    url = table.hotUrls[i]!;
  } else {
    const i = random.nextInt(CHANNELS_NUMBER);
    channel = table.names[i]!;
    url = table.urls[i]!;
  }
  const extra = nextExtra(random, 8 + 8 + 8 + 8, AVG_BID_BYTE_SIZE);
  return { auction, bidder, price, channel, url, dateTime: timestamp, extra };
}
