/**
 * Time as the coordinator sees it: wall-clock milliseconds and one-shot
 * timers. Injected so tests drive the coordinator with a fake clock.
 */
export interface Cancellable {
  /** Idempotent; after it returns the task never runs. */
  cancel(): void;
}

export interface CheckpointTimers {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `task` once after `delayMs` (≥ 0) unless cancelled first. */
  schedule(delayMs: number, task: () => void): Cancellable;
}

/** Date.now and setTimeout; timers are unref'd so they never keep a process alive. */
export const systemTimers: CheckpointTimers = {
  now: () => Date.now(),
  schedule(delayMs, task) {
    const handle = setTimeout(task, Math.max(0, delayMs));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};
