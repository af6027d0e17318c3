import type { NexmarkQueryName } from './queries/index.js';

/**
 * Flink's published Nexmark throughput per core (events/s per core): the
 * "Throughput/Cores" column of the example result table in the Nexmark
 * project's V1 benchmark guide (100M events at 10M events/s, 8 TaskManagers
 * of 1 slot, parallelism 8, RocksDB, checkpoints every 3 min, mini-batch on;
 * Flink 1.13–2.0). See docs/benchmarks.md, "nexmark".
 */
export const FLINK_EVENTS_PER_SECOND_PER_CORE: Partial<Record<NexmarkQueryName, number>> = {
  q0: 155_020,
  q1: 157_940,
  q2: 175_210,
  q3: 152_120,
  q5: 22_140,
  q7: 12_330,
  q8: 146_140,
  q11: 39_700,
};

/** Stateless queries must reach twice Flink's figure per core, windowed and join queries Flink's figure. */
export const STATELESS_QUERIES: ReadonlySet<NexmarkQueryName> = new Set(['q0', 'q1', 'q2']);
