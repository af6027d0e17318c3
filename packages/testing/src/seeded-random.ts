/**
 * A small deterministic PRNG (mulberry32): numbers in [0, 1) from a seed, so
 * a failing chaos run can be repeated from the seed it printed.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of a chaos run: RIVULET_CHAOS_SEED when set (to repeat a run), else one from the clock. */
export function chaosSeed(): number {
  return Number(process.env['RIVULET_CHAOS_SEED'] ?? Date.now() % 1_000_000);
}
