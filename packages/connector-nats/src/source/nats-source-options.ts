import type { NatsConnectionOptions } from '../connection/nats-connection-options.js';
import type { NatsDeserializer } from './nats-deserializer.js';
import type { NatsStartingPosition } from './starting-position.js';

/** What a NatsSource reads, from where, and how it makes records. */
export interface NatsSourceOptions<T> extends NatsConnectionOptions {
  /** The JetStream stream to read. */
  readonly stream: string;
  /**
   * Filter subjects, one split each; they must be captured by the stream and
   * must not overlap. Default: the stream's own subjects.
   */
  readonly subjects?: readonly string[];
  /** Default earliest. */
  readonly startingPosition?: NatsStartingPosition;
  /** Default JSON (NatsDeserializers.json()). */
  readonly deserializer?: NatsDeserializer<T>;
  /** Bounded: stop at the stream's last sequence when the splits were discovered. Default false. */
  readonly bounded?: boolean;
  /** How many messages a split's consumer pulls ahead (its buffer), default 512. */
  readonly fetchBatchSize?: number;
}

/**
 * `count` filter subjects of a partitioned stream: `template` with
 * `{partition}` replaced by 0..count-1 — e.g. for a stream whose subjects
 * are mapped with `events.*` -> `events.{{partition(4,1)}}.{{wildcard(1)}}`,
 * `partitionSubjects('events.{partition}.*', 4)`.
 */
export function partitionSubjects(template: string, count: number): string[] {
  if (!template.includes('{partition}')) throw new Error(`NATS source: partition template "${template}" has no {partition}`);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`NATS source: partition count ${count} is not an integer >= 1`);
  return Array.from({ length: count }, (_, partition) => template.replaceAll('{partition}', String(partition)));
}
