import type { SourceSplit } from '@rivulet/api';

/**
 * One split of a NatsSource: the messages of the stream that match one
 * filter subject, from `nextSequence` on. The split id is the filter subject
 * (unique within the source: the filters do not overlap).
 *
 * Invariants: `nextSequence` is the stream sequence of the next message to
 * read (every message of the filter below it has been emitted); in a
 * checkpoint it is the split's position, so a restore reads from there,
 * nothing twice and nothing skipped. A bounded split ends after
 * `stopSequence` (the stream's last sequence when the splits were
 * discovered). Plain data, stored with msgpack.
 */
export interface NatsSplit extends SourceSplit {
  readonly version: 1;
  readonly filterSubject: string;
  readonly nextSequence: number;
  /** Bounded mode: the last stream sequence this split reads. */
  readonly stopSequence?: number;
}

export function natsSplit(filterSubject: string, nextSequence: number, stopSequence?: number): NatsSplit {
  return { version: 1, splitId: filterSubject, filterSubject, nextSequence, ...(stopSequence !== undefined ? { stopSequence } : {}) };
}
