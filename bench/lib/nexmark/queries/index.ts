import type { DataStream } from '@rivulet/api';
import type { NexmarkEvent } from '../model.js';
import { q0 } from './q0.js';
import { q1 } from './q1.js';
import { q11 } from './q11.js';
import { q2 } from './q2.js';
import { q3 } from './q3.js';
import { q5 } from './q5.js';
import { q7 } from './q7.js';
import { q8 } from './q8.js';
import type { NexmarkQuery } from './query.js';

/** The generator alone: every event to the sink, no query (the ceiling the queries are compared with). */
const generator: NexmarkQuery = (events: DataStream<NexmarkEvent>, sink) => sink(events);

export const NEXMARK_QUERIES = { generator, q0, q1, q2, q3, q5, q7, q8, q11 } as const;
export type NexmarkQueryName = keyof typeof NEXMARK_QUERIES;
export const QUERY_NAMES = Object.keys(NEXMARK_QUERIES) as NexmarkQueryName[];

export function nexmarkQuery(name: string): NexmarkQuery {
  if (!Object.hasOwn(NEXMARK_QUERIES, name)) throw new Error(`unknown Nexmark query '${name}': expected one of ${QUERY_NAMES.join(', ')}`);
  return NEXMARK_QUERIES[name as NexmarkQueryName];
}
