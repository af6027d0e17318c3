/**
 * CPU-bound work for the benchmark jobs (bench/jobs/heartbeat-job.ts,
 * bench/jobs/cores-job.ts bundle this file): a fixed number of rounds of
 * integer mixing, calibrated in the benchmark's own process so a record
 * costs a chosen amount of CPU. Pure computation, no allocation, no clock:
 * the same rounds cost the same CPU whether a record runs alone or beside
 * others, on the event loop or on a thread.
 */

/** `iterations` rounds of integer mixing seeded by `seed`; the result depends on every round, so none can be dropped. */
export function burn(iterations: number, seed: number): number {
  let x = seed | 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x >>> 15;
    x = Math.imul(x, 0x2c1b3c6d);
    x = (x + i) | 0;
  }
  return x;
}

/**
 * How many rounds of `burn` take `ms` of CPU time in this process: the
 * fastest of several timed runs after a warm-up (run it on an idle machine,
 * before starting daemons). Also returns the measured rounds per ms.
 */
export function calibrateBurn(ms: number): { iterations: number; iterationsPerMs: number } {
  const cpuMs = (): number => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  let sink = 0;
  const probe = 2_000_000;
  for (let i = 0; i < 5; i++) sink ^= burn(probe, i); // warm-up: let the JIT optimize it
  let best = 0;
  for (let run = 0; run < 7; run++) {
    const started = cpuMs();
    sink ^= burn(probe * 5, run);
    const spent = cpuMs() - started;
    if (spent > 0) best = Math.max(best, (probe * 5) / spent);
  }
  if (sink === 0.5) throw new Error('unreachable'); // keeps `sink` alive
  return { iterations: Math.max(1, Math.round(best * ms)), iterationsPerMs: Math.round(best) };
}
