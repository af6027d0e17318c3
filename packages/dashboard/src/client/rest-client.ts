/**
 * Every request the dashboard makes to the JobManager's REST API. Reads go
 * through `getJson`; everything that changes the cluster (cancel, stop,
 * savepoint) goes through `sendAction`, the one place that attaches the
 * client credential: a page never calls `fetch` for an action itself.
 *
 * The credential is the cluster's client token (docs/security.md). The page
 * asks for it the first time an action (or, with
 * `security.auth.read-only-endpoints: authenticated`, a read) is answered
 * 401, keeps it in the tab's sessionStorage (gone when the tab closes, never
 * in a URL or a cookie), sends it as `authorization: Bearer …`, and forgets
 * it when the JobManager refuses it.
 */

import { credentialHeaders, storeToken } from './credential.js';
import { takePrefetched } from './prefetch.js';

/** The user cancelled the token prompt: polled reads do not ask again (an action still does). */
let declined = false;

/** Asks the user for the token after a 401; undefined when they cancel or there is no one to ask. */
function askForToken(why: string, action: boolean): string | undefined {
  if (typeof globalThis.prompt !== 'function' || (declined && !action)) return undefined;
  const answer = globalThis.prompt(`${why}\n\nThis JobManager needs the cluster's client token:`)?.trim();
  declined = answer === undefined || answer === '';
  return declined ? undefined : answer;
}

/** Sends `request` with the stored token; on 401 asks for a token once and sends it again. */
async function withCredential(action: boolean, request: (headers: Record<string, string>) => Promise<Response>): Promise<Response> {
  const response = await request(credentialHeaders());
  if (response.status !== 401) return response;
  storeToken(undefined);
  const why = (await errorOf(response.clone())).message;
  const token = askForToken(why, action);
  if (token === undefined) return response;
  storeToken(token);
  const retried = await request(credentialHeaders());
  if (retried.status === 401) storeToken(undefined);
  return retried;
}

export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RestError';
  }

  /** The JobManager answered (as opposed to a network failure). */
  get answered(): boolean {
    return this.status > 0;
  }
}

async function errorOf(response: Response): Promise<RestError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { errors?: string[] };
    if (Array.isArray(body.errors) && body.errors.length > 0) message = body.errors.join('; ');
  } catch {
    // not JSON: keep the status line
  }
  return new RestError(response.status, message);
}

/** GET `path` (relative to the JobManager the page came from) as JSON. Rejects with a RestError. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response | undefined;
  try {
    // The page's first answer may have been asked for before the page loaded (prefetch.ts); a 401 is asked again, with the prompt.
    const early = takePrefetched(path);
    if (early !== undefined) response = await early.then((r) => (r.status === 401 ? undefined : r), () => undefined);
    response ??= await withCredential(false, (credential) => fetch(path, { headers: { accept: 'application/json', ...credential }, cache: 'no-store', ...(signal ? { signal } : {}) }));
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new RestError(0, 'the JobManager did not answer');
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** Headers every action carries, with the client credential. */
function actionHeaders(credential: Record<string, string>): Record<string, string> {
  return { accept: 'application/json', 'content-type': 'application/json', ...credential };
}

/** A request that changes the cluster. Resolves with the JSON answer (or undefined for an empty one). */
export async function sendAction<T = unknown>(method: 'POST' | 'PATCH', path: string, body?: unknown): Promise<T | undefined> {
  let response: Response;
  try {
    response = await withCredential(true, (credential) => fetch(path, { method, headers: actionHeaders(credential), body: JSON.stringify(body ?? {}), cache: 'no-store' }));
  } catch {
    throw new RestError(0, 'the JobManager did not answer');
  }
  if (!response.ok) throw await errorOf(response);
  const text = await response.text();
  return text === '' ? undefined : (JSON.parse(text) as T);
}
