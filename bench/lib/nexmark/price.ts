import type { SeededRandom } from './random.js';

/** Nexmark's PriceGenerator: log-uniform between 1 and 1,000,000 dollars, in cents. */
export function nextPrice(random: SeededRandom): number {
  return Math.round(Math.pow(10, random.nextDouble() * 6) * 100);
}
