/**
 * The writer's clock and its periodic bucket check (what Flink's runtime
 * gives a FileWriter as its ProcessingTimeService). The default is the
 * system clock with an unref'd interval; tests give a manual one.
 */
export interface ProcessingTimeService {
  now(): number;
  /** Calls `callback` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, callback: () => void): () => void;
}

export const SYSTEM_PROCESSING_TIME: ProcessingTimeService = {
  now: () => Date.now(),
  every(intervalMs, callback) {
    const timer = setInterval(callback, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};
