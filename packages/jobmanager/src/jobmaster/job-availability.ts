/**
 * A job's restarts and outages, for Flink's job metrics (docs/failure-recovery.md):
 *  - `numRestarts`: restarts (full or of some regions) since the job was submitted;
 *  - `uptime`: ms since every subtask last became RUNNING with no outage since;
 *    0 while not all run, -1 once the job ended;
 *  - `downtime`: ms of the current outage (a failure until every subtask runs
 *    again); 0 when there is none, -1 once the job ended;
 *  - `restartingTime`: ms of the current outage, else of the last one (0 before any).
 * Failures are counted by cause (`task`, `taskmanager-lost`, `deploy`, `checkpointing`, `slots`).
 */
export type FailureCause = 'task' | 'taskmanager-lost' | 'deploy' | 'checkpointing' | 'slots';

export class JobAvailability {
  numRestarts = 0;
  readonly failuresByCause = new Map<FailureCause, number>();
  private runningSince: number | undefined;
  private outageSince: number | undefined;
  private lastOutageMs = 0;
  private ended = false;

  constructor(private readonly now: () => number) {}

  /** A failure: an outage begins unless one is under way. */
  failed(cause: FailureCause): void {
    this.failuresByCause.set(cause, (this.failuresByCause.get(cause) ?? 0) + 1);
    this.runningSince = undefined;
    this.outageSince ??= this.now();
  }

  restarted(): void {
    this.numRestarts += 1;
  }

  /** Every subtask is RUNNING: an outage under way ends. */
  allRunning(): void {
    const now = this.now();
    if (this.outageSince !== undefined) {
      this.lastOutageMs = now - this.outageSince;
      this.outageSince = undefined;
    }
    this.runningSince ??= now;
  }

  end(): void {
    this.ended = true;
  }

  /** Milliseconds the current outage has lasted (undefined: none under way). */
  get outageMs(): number | undefined {
    return this.outageSince === undefined ? undefined : this.now() - this.outageSince;
  }

  uptime(): number {
    if (this.ended) return -1;
    return this.runningSince === undefined ? 0 : this.now() - this.runningSince;
  }

  downtime(): number {
    if (this.ended) return -1;
    return this.outageMs ?? 0;
  }

  restartingTime(): number {
    return this.outageMs ?? this.lastOutageMs;
  }
}
