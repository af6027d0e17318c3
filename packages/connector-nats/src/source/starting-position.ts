/**
 * Where a NatsSource starts reading the splits it discovers at a fresh start
 * (a restored source reads each split from its checkpointed position):
 * - earliest: the first message of the stream that is still stored;
 * - latest: the first message published after the splits were discovered;
 * - sequence: the first message whose stream sequence is at least `sequence`;
 * - timestamp: the first message stored at or after `timestampMs`.
 * The enumerator turns each into a stream sequence when it discovers the
 * splits, so every reader (and every restart before the first checkpoint)
 * starts from the same messages.
 */
export type NatsStartingPosition =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'sequence'; readonly sequence: number }
  | { readonly kind: 'timestamp'; readonly timestampMs: number };

export const StartingPosition = {
  earliest: (): NatsStartingPosition => ({ kind: 'earliest' }),
  latest: (): NatsStartingPosition => ({ kind: 'latest' }),
  sequence: (sequence: number): NatsStartingPosition => ({ kind: 'sequence', sequence }),
  timestamp: (timestampMs: number | Date): NatsStartingPosition => ({
    kind: 'timestamp',
    timestampMs: timestampMs instanceof Date ? timestampMs.getTime() : timestampMs,
  }),
} as const;

/** Why `position` is not a valid starting position, or undefined when it is. */
export function startingPositionProblem(position: NatsStartingPosition): string | undefined {
  switch (position.kind) {
    case 'earliest':
    case 'latest':
      return undefined;
    case 'sequence':
      return Number.isSafeInteger(position.sequence) && position.sequence >= 1 ? undefined : `starting sequence ${position.sequence} is not an integer >= 1`;
    case 'timestamp':
      return Number.isFinite(position.timestampMs) ? undefined : `starting timestamp ${position.timestampMs} is not a number of ms`;
    default:
      return `unknown starting position ${JSON.stringify(position)}`;
  }
}
