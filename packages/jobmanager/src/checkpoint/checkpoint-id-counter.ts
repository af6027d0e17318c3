/**
 * Checkpoint ids. Invariant: ids handed out for a job start at 1, strictly
 * increase and never repeat — across coordinator restarts (job failover) and,
 * with a persistent counter (etcd, `checkpoint-counter/<job-id>`), across
 * JobManager failover. A restore moves the counter past the restored id.
 */
export interface CheckpointIdCounter {
  /** The next id; the counter moves past it before the promise resolves. */
  getAndIncrement(): Promise<number>;
  /** The id getAndIncrement will return next. */
  get(): Promise<number>;
  /** Makes the next id at least `nextId` (after restoring checkpoint n: n + 1). Never lowers it. */
  advanceTo(nextId: number): Promise<void>;
}

/** In-memory counter of one job (high-availability.type: none): lives as long as the JobManager. */
export class StandaloneCheckpointIdCounter implements CheckpointIdCounter {
  private next: number;

  constructor(initial = 1) {
    if (!Number.isSafeInteger(initial) || initial < 1) throw new RangeError(`a checkpoint id counter starts at 1 or above, got ${initial}`);
    this.next = initial;
  }

  async getAndIncrement(): Promise<number> {
    return this.next++;
  }

  async get(): Promise<number> {
    return this.next;
  }

  async advanceTo(nextId: number): Promise<void> {
    if (!Number.isSafeInteger(nextId)) throw new RangeError(`not a checkpoint id: ${nextId}`);
    this.next = Math.max(this.next, nextId);
  }
}
