import { firstRequests } from '../model/page-requests.js';
import { parseRoute } from '../model/route.js';
import { credentialHeaders } from './credential.js';

/** An answer asked for before the page could: its first poll takes it if it is this fresh. */
const FRESH_MS = 5000;
const STORE = '__rivuletPrefetch';

interface Prefetched {
  readonly at: number;
  readonly response: Promise<Response>;
  /** The body of a 200 answer once parsed (a copy: `response` can still be read), else undefined. */
  readonly parsed: Promise<unknown>;
  body?: unknown;
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
    const entry: Prefetched = {
      at: Date.now(),
      response,
      parsed: response.then((r) => (r.ok ? r.clone().json() : undefined)).then((body: unknown) => (entry.body = body), () => undefined),
    };
    store.set(path, entry);
  }
  (globalThis as WithStore)[STORE] = store;
}

/**
 * Resolves once every prefetched answer has arrived and been parsed, or
 * after `timeoutMs`: the page's first render waits for it, so that it shows
 * the data instead of an empty frame followed by one with data.
 */
export function prefetchSettled(timeoutMs: number): Promise<void> {
  const store = (globalThis as WithStore)[STORE];
  if (store === undefined || store.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void Promise.all([...store.values()].map((entry) => entry.parsed)).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The fresh entry for `path`, removed (each answer is taken once); undefined when there is none or it is stale. */
function take(path: string, ready: (entry: Prefetched) => boolean = () => true): Prefetched | undefined {
  const store = (globalThis as WithStore)[STORE];
  const entry = store?.get(path);
  if (entry === undefined || !ready(entry)) return undefined;
  store!.delete(path);
  return Date.now() - entry.at <= FRESH_MS ? entry : undefined;
}

/** The parsed body of the prefetched 200 answer for `path` if it is already here (once, while fresh). */
export function takeSettled<T>(path: string): T | undefined {
  return take(path, (entry) => entry.body !== undefined)?.body as T | undefined;
}

/** The prefetched answer for `path`, once, while fresh; undefined when there is none. */
export function takePrefetched(path: string): Promise<Response> | undefined {
  return take(path)?.response;
}
