import type { OperatorChain } from './operator-chain.js';

/**
 * The work an operator chain does on the clock rather than on records:
 * periodic watermarks and idleness of its timestamp assigners, and
 * processing-time timers of its keyed operator.
 */

/** Runs the chain's periodic work that is due; `active` is called before each (the task was busy). */
export function firePeriodic(chain: OperatorChain, active: () => void): void {
  const now = Date.now();
  for (const work of chain.periodic) {
    if (work.msUntilNextTick(now) === 0) {
      active();
      work.onTick(now);
    }
  }
}

/** Milliseconds until the chain has work on the clock (a processing-time timer, a periodic watermark), or undefined. */
export function msUntilClockWork(chain: OperatorChain): number | undefined {
  const now = Date.now();
  let delay = chain.keyed?.msUntilNextTimer(now);
  for (const work of chain.periodic) {
    const next = work.msUntilNextTick(now);
    if (next !== undefined && (delay === undefined || next < delay)) delay = next;
  }
  return delay;
}
