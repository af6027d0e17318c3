import type { DeliveryGuarantee } from '@rivulet/api';
import type { NatsConnectionOptions } from '../connection/nats-connection-options.js';
import type { NatsSerializer } from './nats-serializer.js';

/** Where a NatsSink publishes, how, and with which guarantee. */
export interface NatsSinkOptions<T> extends NatsConnectionOptions {
  /**
   * The stream that captures the sink's subjects: checked at start (it
   * exists, captures the subjects, and — exactly-once — keeps a duplicate
   * window of at least `minDuplicateWindowMs`).
   */
  readonly stream: string;
  /** The subject of every record, or a function giving each record's subject. */
  readonly subject: string | ((record: T) => string);
  /** Default JSON (NatsSerializers.json()). */
  readonly serializer?: NatsSerializer<T>;
  /** Default NONE, as Flink's KafkaSink; choose AT_LEAST_ONCE or EXACTLY_ONCE for a guarantee. */
  readonly deliveryGuarantee?: DeliveryGuarantee;
  /**
   * Exactly-once: the shortest duplicate window of the stream the sink
   * accepts, default 120,000 ms (NATS's default window). A recovery must
   * re-commit within the window, or the stream stores the re-commit again.
   */
  readonly minDuplicateWindowMs?: number;
  /** How long a publish waits for the stream's acknowledgement, default 10 s. */
  readonly ackTimeoutMs?: number;
  /** Messages published but not yet acknowledged, at most; default 4,096. */
  readonly maxInFlight?: number;
  /**
   * Creates the stream when it does not exist (Rivulet's own: Flink's sinks
   * create nothing), with these subjects and duplicate window (default
   * 120,000 ms); an existing stream is used as it is.
   */
  readonly createStream?: { readonly subjects: readonly string[]; readonly duplicateWindowMs?: number };
}
