/**
 * A small seeded pseudo-random generator (splitmix32-style mixing of a 32-bit
 * state). Each event is generated from a generator reseeded with the event's
 * id, as Beam's Nexmark does with `new Random(eventId)`: an event's contents
 * depend only on its id, whichever subtask makes it and in whichever order.
 */
export class SeededRandom {
  private state = 0;

  constructor(seed = 0) {
    this.reseed(seed);
  }

  /** Restarts the sequence from `seed` (any safe integer). */
  reseed(seed: number): this {
    const low = seed | 0;
    const high = Math.floor(seed / 4294967296) | 0;
    this.state = (Math.imul(low ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(high + 0x632be5ab, 0xc2b2ae35)) | 0;
    return this;
  }

  /** A uniform double in [0, 1). */
  nextDouble(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    z ^= z >>> 15;
    return (z >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n) (n >= 1). */
  nextInt(n: number): number {
    return Math.floor(this.nextDouble() * n);
  }
}
