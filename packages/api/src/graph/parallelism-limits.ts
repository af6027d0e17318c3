/** Key groups of a job unless it sets its own (Flink's default too). */
export const DEFAULT_MAX_PARALLELISM = 128;
/** Largest allowed maxParallelism (number of key groups), as in Flink. */
export const MAX_PARALLELISM_LIMIT = 32768;
