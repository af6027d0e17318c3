/**
 * Every request the dashboard makes to the JobManager's REST API. Reads go
 * through `getJson`; everything that changes the cluster (cancel, stop,
 * savepoint) goes through `sendAction`, the one place that will attach the
 * client credential once authentication exists (issue 15): a page never
 * calls `fetch` for an action itself.
 */

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
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store', ...(signal ? { signal } : {}) });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new RestError(0, 'the JobManager did not answer');
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** Headers every action carries; the client credential goes here once authentication exists. */
function actionHeaders(): Record<string, string> {
  return { accept: 'application/json', 'content-type': 'application/json' };
}

/** A request that changes the cluster. Resolves with the JSON answer (or undefined for an empty one). */
export async function sendAction<T = unknown>(method: 'POST' | 'PATCH', path: string, body?: unknown): Promise<T | undefined> {
  let response: Response;
  try {
    response = await fetch(path, { method, headers: actionHeaders(), body: JSON.stringify(body ?? {}), cache: 'no-store' });
  } catch {
    throw new RestError(0, 'the JobManager did not answer');
  }
  if (!response.ok) throw await errorOf(response);
  const text = await response.text();
  return text === '' ? undefined : (JSON.parse(text) as T);
}
