import { firstRequests } from '../model/page-requests.js';
import { parseRoute } from '../model/route.js';
import { credentialHeaders } from './credential.js';

/** An answer asked for before the page could: its first poll takes it if it is this fresh. */
const FRESH_MS = 5000;
const STORE = '__rivuletPrefetch';

interface Prefetched {
  readonly at: number;
  readonly response: Promise<Response>;
}

type WithStore = typeof globalThis & { [STORE]?: Map<string, Prefetched> };

/**
 * Sends the requests of the page `hash` names (model/page-requests.ts) at
 * once, before the bundle has loaded and rendered: the page's first polls
 * take the answers (takePrefetched) instead of asking after their first
 * render. Runs inline in index.html.
 */
export function startPrefetch(hash: string): void {
  const store = new Map<string, Prefetched>();
  for (const path of firstRequests(parseRoute(hash))) {
    const response = fetch(path, { headers: { accept: 'application/json', ...credentialHeaders() }, cache: 'no-store' });
    response.catch(() => undefined); // whoever takes it sees the failure; nobody taking it is no error
    store.set(path, { at: Date.now(), response });
  }
  (globalThis as WithStore)[STORE] = store;
}

/** The prefetched answer for `path`, once, while fresh; undefined when there is none. */
export function takePrefetched(path: string): Promise<Response> | undefined {
  const store = (globalThis as WithStore)[STORE];
  const entry = store?.get(path);
  if (entry === undefined) return undefined;
  store!.delete(path);
  return Date.now() - entry.at <= FRESH_MS ? entry.response : undefined;
}
