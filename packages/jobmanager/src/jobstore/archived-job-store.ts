import type { ArchivedJob, EndedJobStatus } from './archived-job.js';

/** jobstore.max-capacity and jobstore.expiration-time. */
export interface JobStoreSettings {
  /** Most ended jobs kept; the oldest archived is evicted first. */
  readonly maxCapacity: number;
  /** How long an ended job is kept after it was archived, in ms. */
  readonly expirationMs: number;
}

export interface JobStoreTimers {
  now(): number;
  /** Runs `task` after `delayMs`; must not keep the process alive. */
  schedule(delayMs: number, task: () => void): { cancel(): void };
}

/** A job that left the store, remembered to tell "expired"/"evicted" from "never existed". */
export interface RemovedJob {
  readonly jobId: string;
  readonly name: string;
  readonly status: EndedJobStatus;
  readonly endTime: number;
  readonly reason: 'expired' | 'evicted';
  readonly removedAt: number;
}

export type JobStoreLookup =
  | { readonly kind: 'archived'; readonly job: ArchivedJob }
  | { readonly kind: 'removed'; readonly removed: RemovedJob }
  | { readonly kind: 'unknown' };

/** Ids of removed jobs remembered (about 150 bytes each). */
export const REMEMBERED_REMOVALS = 1000;

/** setTimeout's largest delay is 2^31-1 ms; longer waits are taken in steps. */
const MAX_TIMER_MS = 3_600_000;

const systemTimers: JobStoreTimers = {
  now: Date.now,
  schedule(delayMs, task) {
    const timer = setTimeout(task, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/**
 * The ended jobs a JobManager keeps (Flink's ExecutionGraphInfoStore), in
 * memory and bounded: at most `maxCapacity` jobs, the oldest evicted first,
 * each for at most `expirationMs` after it was archived (removed by a timer,
 * and checked again on every read, so an expired job is never served). The
 * last REMEMBERED_REMOVALS removed ids are remembered with why they left.
 */
export class ArchivedJobStore {
  /** Insertion order is archive order: the first entry is the oldest. */
  private readonly jobs = new Map<string, { readonly job: ArchivedJob; readonly archivedAt: number }>();
  private readonly removed = new Map<string, RemovedJob>();
  private readonly timers: JobStoreTimers;
  private timer: { cancel(): void } | undefined;
  private closed = false;

  constructor(
    readonly settings: JobStoreSettings,
    timers?: JobStoreTimers,
  ) {
    if (!Number.isInteger(settings.maxCapacity) || settings.maxCapacity < 1) throw new RangeError(`jobstore.max-capacity must be at least 1, got ${settings.maxCapacity}`);
    if (!(settings.expirationMs > 0)) throw new RangeError(`jobstore.expiration-time must be above 0, got ${settings.expirationMs} ms`);
    this.timers = timers ?? systemTimers;
  }

  get size(): number {
    this.expire();
    return this.jobs.size;
  }

  /** Archives an ended job (replacing an older archive of the same id); evicts the oldest beyond the capacity. */
  put(job: ArchivedJob): void {
    this.jobs.delete(job.jobId);
    this.removed.delete(job.jobId);
    this.jobs.set(job.jobId, { job, archivedAt: this.timers.now() });
    for (const [jobId, entry] of this.jobs) {
      if (this.jobs.size <= this.settings.maxCapacity) break;
      this.remove(jobId, entry.job, 'evicted');
    }
    this.expire();
  }

  get(jobId: string): JobStoreLookup {
    this.expire();
    const entry = this.jobs.get(jobId);
    if (entry) return { kind: 'archived', job: entry.job };
    const removed = this.removed.get(jobId);
    return removed ? { kind: 'removed', removed } : { kind: 'unknown' };
  }

  /** The archived jobs, oldest first. */
  list(): ArchivedJob[] {
    this.expire();
    return [...this.jobs.values()].map((entry) => entry.job);
  }

  /** Replaces the content of a job still archived, keeping its age; a job no longer held stays removed. */
  refresh(job: ArchivedJob): void {
    const entry = this.jobs.get(job.jobId);
    if (entry) this.jobs.set(job.jobId, { job, archivedAt: entry.archivedAt });
  }

  /** Forgets a job without remembering it as removed (it runs again here: an HA recovery). */
  delete(jobId: string): void {
    this.jobs.delete(jobId);
    this.removed.delete(jobId);
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Removes every job archived expirationMs ago or earlier, then makes sure a timer will expire the next one. */
  private expire(): void {
    const now = this.timers.now();
    for (const [jobId, entry] of this.jobs) {
      if (now - entry.archivedAt < this.settings.expirationMs) break; // archive order: the rest are younger
      this.remove(jobId, entry.job, 'expired');
    }
    this.arm(now);
  }

  /**
   * Arms one timer for the oldest job's expiry, unless one is armed: the
   * oldest expiry only moves later (archive order), so an armed timer fires
   * early at worst, then sweeps and arms the next. Never cancelled while the
   * store is open: Node keeps a cancelled unref'd timer's list until its
   * time, so re-arming on every read would pile them up.
   */
  private arm(now: number): void {
    const oldest = this.jobs.values().next();
    if (this.timer !== undefined || this.closed || oldest.done) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, oldest.value.archivedAt + this.settings.expirationMs - now));
    this.timer = this.timers.schedule(delay, () => {
      this.timer = undefined;
      this.expire();
    });
  }

  private remove(jobId: string, job: ArchivedJob, reason: RemovedJob['reason']): void {
    this.jobs.delete(jobId);
    this.removed.set(jobId, { jobId, name: job.name, status: job.status, endTime: job.endTime, reason, removedAt: this.timers.now() });
    for (const oldest of this.removed.keys()) {
      if (this.removed.size <= REMEMBERED_REMOVALS) break;
      this.removed.delete(oldest);
    }
  }
}
