import { errorMessage, type Logger } from '@rivulet/common';

/**
 * The coordinator's work that runs beside its callers: checkpoint
 * completions (awaited before it stops or idles) and calls whose failure is
 * only worth a log line (notifying tasks of a completed or aborted
 * checkpoint). Neither ever rejects into the coordinator.
 */
export class BackgroundWork {
  private readonly completions = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Runs `completion` to its end; an unexpected error is logged. */
  track(completion: Promise<void>): void {
    const tracked = completion.catch((err: unknown) => this.log.error({ err: errorMessage(err) }, 'unexpected error completing a checkpoint'));
    this.completions.add(tracked);
    void tracked.finally(() => this.completions.delete(tracked));
  }

  /** Resolves once every tracked completion (and any it started) has settled. */
  async settled(): Promise<void> {
    while (this.completions.size > 0) await Promise.all([...this.completions]);
  }

  /** Calls `call`; a throw or rejection is logged as a warning naming `what` and the checkpoint. */
  quietly(what: string, checkpointId: number, call: () => Promise<void> | void): void {
    const report = (err: unknown): void => this.log.warn({ checkpointId, err: errorMessage(err) }, `${what} failed`);
    try {
      Promise.resolve(call()).catch(report);
    } catch (err) {
      report(err);
    }
  }
}
