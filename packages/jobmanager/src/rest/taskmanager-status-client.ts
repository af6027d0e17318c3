import type { TaskManagerRegistration } from '../resourcemanager/task-manager-registration.js';
import type { TaskManagerStatusJson } from './taskmanager-status.js';

/** A TaskManager's answer is reused for this long: several dashboards polling every second cost one request. */
export const STATUS_CACHE_MS = 900;
/** A TaskManager that does not answer within this long counts as not answering (the page says so). */
export const STATUS_TIMEOUT_MS = 1500;

interface Entry {
  readonly at: number;
  readonly result: Promise<TaskManagerStatusJson | undefined>;
}

/**
 * Asks TaskManagers for their `GET /status` over HTTP, on demand: an answer
 * (or the lack of one) is cached per TaskManager for STATUS_CACHE_MS, and
 * requests for the same TaskManager share one request in flight. Never
 * rejects: a TaskManager that fails or times out yields undefined.
 */
export class TaskManagerStatusClient {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly fetchStatus: (url: string, signal: AbortSignal) => Promise<TaskManagerStatusJson> = defaultFetch,
  ) {}

  /** The status of `registration`; `history`: with its samples over the last minutes (the TaskManager page). */
  get(registration: TaskManagerRegistration, history = false): Promise<TaskManagerStatusJson | undefined> {
    const key = `${registration.registrationId}${history ? '+history' : ''}`;
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.at < STATUS_CACHE_MS) return cached.result;
    const { host, port } = registration.httpEndpoint;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/status${history ? '' : '?history=0'}`;
    const result = this.fetchStatus(url, AbortSignal.timeout(STATUS_TIMEOUT_MS)).catch(() => undefined);
    this.entries.set(key, { at: this.now(), result });
    this.forgetOld();
    return result;
  }

  /** Drops entries of TaskManagers no longer asked about, so ended registrations leave nothing behind. */
  private forgetOld(): void {
    const cutoff = this.now() - 60_000;
    for (const [key, entry] of this.entries) if (entry.at < cutoff) this.entries.delete(key);
  }
}

async function defaultFetch(url: string, signal: AbortSignal): Promise<TaskManagerStatusJson> {
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as TaskManagerStatusJson;
}
