import { Agent, get } from 'node:http';
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

/** One kept-alive connection per TaskManager: a poll every second reuses it. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/**
 * GET with node:http rather than fetch: undici's fetch (WHATWG streams, a
 * Response per call) cost the JobManager ~2x the CPU of a plain request for
 * the same 80 KB answer, polled every second per TaskManager while a job
 * page is open (docs/benchmarks.md, "dashboard").
 */
function defaultFetch(url: string, signal: AbortSignal): Promise<TaskManagerStatusJson> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent, signal, headers: { accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        if (response.statusCode !== 200) return reject(new Error(`${url}: ${response.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as TaskManagerStatusJson);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    request.on('error', reject);
  });
}
