import { AVG_PERSON_BYTE_SIZE, FIRST_PERSON_ID } from './config.js';
import { lastBase0PersonId } from './ids.js';
import type { Person } from './model.js';
import type { SeededRandom } from './random.js';
import { nextExtra, nextString } from './strings.js';

/** Nexmark's PersonGenerator: few states and cities so that queries find matches on small inputs. */
const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];

function pick(random: SeededRandom, values: readonly string[]): string {
  return values[random.nextInt(values.length)]!;
}

function creditCardGroup(random: SeededRandom): string {
  return String(random.nextInt(10_000)).padStart(4, '0');
}

/** The person of event `eventId`: the next person id, a random name, e-mail, card, city and state. */
export function nextPerson(eventId: number, random: SeededRandom, timestamp: number): Person {
  const id = lastBase0PersonId(eventId) + FIRST_PERSON_ID;
  const name = `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`;
  const emailAddress = `${nextString(random, 7)}@${nextString(random, 5)}.com`;
  const creditCard = `${creditCardGroup(random)} ${creditCardGroup(random)} ${creditCardGroup(random)} ${creditCardGroup(random)}`;
  const city = pick(random, US_CITIES);
  const state = pick(random, US_STATES);
  const currentSize = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
  const extra = nextExtra(random, currentSize, AVG_PERSON_BYTE_SIZE);
  return { id, name, emailAddress, creditCard, city, state, dateTime: timestamp, extra };
}
