/**
 * Whether what a page shows is current. A resource polled every
 * `intervalMs` is `live` while its last success is recent, `stale` once
 * it is older than STALE_AFTER_INTERVALS polls (the JobManager answers
 * slowly or a poll failed once), `unreachable` while its polls fail.
 * The page never shows stale data without saying so.
 */
export type Freshness = 'loading' | 'live' | 'stale' | 'unreachable';

export const STALE_AFTER_INTERVALS = 3;

export interface PollState {
  /** ms since the epoch of the last successful poll; undefined before any. */
  readonly fetchedAt: number | undefined;
  /** Polls failed in a row since the last success. */
  readonly failures: number;
}

export function freshness(state: PollState, now: number, intervalMs: number): Freshness {
  if (state.failures >= 2) return 'unreachable';
  if (state.fetchedAt === undefined) return state.failures > 0 ? 'unreachable' : 'loading';
  return now - state.fetchedAt > STALE_AFTER_INTERVALS * intervalMs ? 'stale' : 'live';
}

/** Backoff after failed polls: the interval, doubled per failure, at most `maxMs`. */
export function nextPollDelay(intervalMs: number, failures: number, maxMs = 8000): number {
  if (failures <= 0) return intervalMs;
  return Math.min(maxMs, intervalMs * 2 ** Math.min(failures, 10));
}
