import { useLayoutEffect, useState } from 'preact/hooks';
import { freshness, nextPollDelay, type Freshness } from '../model/freshness.js';
import { now, reportFailure, reportSuccess } from './connection.js';
import { takeSettled } from './prefetch.js';
import { getJson, RestError } from './rest-client.js';

/** Marks (once per page load) the first frame that shows data from the JobManager: bench/dashboard reads it. */
function markLiveData(): void {
  if (performance.getEntriesByName('rivulet:live-data').length > 0) return;
  requestAnimationFrame(() => {
    if (performance.getEntriesByName('rivulet:live-data').length === 0) performance.mark('rivulet:live-data');
  });
}

/** How often pages poll the JobManager (Flink's web.refresh-interval is 3 s; these are cheap reads). */
export const POLL_INTERVAL_MS = 1000;

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: RestError | undefined;
  readonly fetchedAt: number | undefined;
  readonly failures: number;
  readonly freshness: Freshness;
}

/**
 * Polls `path` every `intervalMs` while the component is mounted (null:
 * not at all), backing off while polls fail; keeps the last data with the
 * time it was fetched, so the page can say how old it is. A 404 stops
 * the backoff from growing (the thing is gone, not the JobManager).
 */
export function usePoll<T>(path: string | null, intervalMs = POLL_INTERVAL_MS): Polled<T> {
  type State = { data: T | undefined; error: RestError | undefined; fetchedAt: number | undefined; failures: number; path: string | null };
  // The first render of a page opened from its URL already has its answers (client/prefetch.ts).
  const [state, setState] = useState<State>(() => {
    const settled = path === null ? undefined : takeSettled<T>(path);
    if (settled !== undefined) {
      reportSuccess();
      markLiveData();
    }
    return { data: settled, error: undefined, fetchedAt: settled === undefined ? undefined : Date.now(), failures: 0, path };
  });
  // A layout effect: the first request leaves (or the prefetched answer is taken) as the page renders, not a frame later.
  useLayoutEffect(() => {
    if (path === null) return undefined;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const startedWithData = state.path === path && state.data !== undefined;
    if (!startedWithData) setState({ data: undefined, error: undefined, fetchedAt: undefined, failures: 0, path });
    const poll = async (): Promise<void> => {
      try {
        const data = await getJson<T>(path, abort.signal);
        if (abort.signal.aborted) return;
        failures = 0;
        reportSuccess();
        markLiveData();
        setState({ data, error: undefined, fetchedAt: Date.now(), failures: 0, path });
      } catch (err) {
        if (abort.signal.aborted) return;
        const error = err instanceof RestError ? err : new RestError(0, String(err));
        if (error.answered) reportSuccess();
        else reportFailure(error.message);
        failures = error.status === 404 ? 1 : failures + 1;
        setState((previous) => ({ ...previous, error, failures, path }));
      }
      if (!abort.signal.aborted) timer = setTimeout(() => void poll(), nextPollDelay(intervalMs, failures));
    };
    if (startedWithData) timer = setTimeout(() => void poll(), intervalMs);
    else void poll();
    return () => {
      abort.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, intervalMs]);
  const current = state.path === path ? state : { data: undefined, error: undefined, fetchedAt: undefined, failures: 0, path };
  return { ...current, freshness: freshness(current, now.value, intervalMs) };
}
