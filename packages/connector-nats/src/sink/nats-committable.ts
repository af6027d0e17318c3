/**
 * What an exactly-once NatsSink commits for one writer and one checkpoint:
 * the checkpoint's records as messages, and the prefix of their
 * `Nats-Msg-Id`s — message i has id `${messageIdPrefix}.${i}` — so a
 * re-commit after a recovery publishes the same ids and the stream's
 * duplicate window drops them. Plain data (kept in the checkpoint).
 */
export interface NatsCommittable {
  readonly version: 1;
  readonly messageIdPrefix: string;
  readonly subjects: readonly string[];
  readonly payloads: readonly Uint8Array[];
}
