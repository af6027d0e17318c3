import type { SinkWriter, SinkWriterContext } from '@rivulet/api';
import { NatsConnectorError, reason, type ConnectorLocation } from '../connection/nats-connector-error.js';
import { JetStreamPublisher } from './jetstream-publisher.js';
import type { RecordEncoder } from './record-encoder.js';
import type { SinkTarget } from './sink-target.js';

/**
 * The writer of an at-least-once or no-guarantee NatsSink: publishes each
 * record as it arrives.
 * - AT_LEAST_ONCE: publishes with an acknowledgement, and `flush` (before
 *   each checkpoint barrier passes) waits until the stream acknowledged
 *   every record so far; a refused or unacknowledged record fails the
 *   writer (at the next write or flush), so the job restarts from the last
 *   checkpoint and publishes it again.
 * - NONE: a core publish, no acknowledgement awaited; what the connection
 *   still buffers is sent at close.
 */
export class PublishingWriter<T> implements SinkWriter<T> {
  private readonly publisher: JetStreamPublisher | undefined;
  private readonly unacknowledged = new Set<Promise<unknown>>();
  private failure: Error | undefined;
  private readonly maxInFlight: number;

  constructor(
    private readonly where: ConnectorLocation,
    private readonly encoder: RecordEncoder<T>,
    private readonly target: SinkTarget,
    awaitAcks: boolean,
    ackTimeoutMs: number | undefined,
    maxInFlight: number | undefined,
  ) {
    this.maxInFlight = maxInFlight ?? 4096;
    this.publisher = awaitAcks ? new JetStreamPublisher(target.connection, ackTimeoutMs, this.maxInFlight) : undefined;
  }

  async write(element: T, _context: SinkWriterContext): Promise<void> {
    this.throwIfFailed();
    const { subject, payload } = this.encoder.encode(element);
    if (this.publisher === undefined) {
      this.target.connection.publish(subject, payload);
      return;
    }
    while (this.unacknowledged.size >= this.maxInFlight) await Promise.race(this.unacknowledged);
    const ack = this.publisher.publish(subject, payload).then(
      () => undefined,
      (err: unknown) => {
        this.failure ??= new NatsConnectorError(this.where, `publishing to "${subject}" failed (${reason(err)})`, { cause: err });
      },
    );
    this.unacknowledged.add(ack);
    void ack.then(() => this.unacknowledged.delete(ack));
  }

  async flush(): Promise<void> {
    while (this.unacknowledged.size > 0) await Promise.all([...this.unacknowledged]);
    this.throwIfFailed();
  }

  async close(): Promise<void> {
    this.publisher?.close();
    await this.target.close();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
