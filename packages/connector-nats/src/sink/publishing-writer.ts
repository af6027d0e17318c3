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
  /** Records published and not yet acknowledged (or refused). */
  private unacknowledged = 0;
  /** Resolves flush's wait once `unacknowledged` is back to 0. */
  private drained: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly where: ConnectorLocation,
    private readonly encoder: RecordEncoder<T>,
    private readonly target: SinkTarget,
    awaitAcks: boolean,
    ackTimeoutMs: number | undefined,
    maxInFlight: number | undefined,
  ) {
    this.publisher = awaitAcks ? new JetStreamPublisher(target.connection, ackTimeoutMs, maxInFlight) : undefined;
  }

  write(element: T, _context: SinkWriterContext): void | Promise<void> {
    this.throwIfFailed();
    const { subject, payload } = this.encoder.encode(element);
    if (this.publisher === undefined) {
      this.target.connection.publish(subject, payload);
      return;
    }
    // A promise only when the window is full: most writes complete at once.
    if (!this.publisher.hasRoom) return this.sendWhenRoom(this.publisher, subject, payload);
    this.send(this.publisher, subject, payload);
  }

  async flush(): Promise<void> {
    if (this.unacknowledged > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.throwIfFailed();
  }

  private async sendWhenRoom(publisher: JetStreamPublisher, subject: string, payload: Uint8Array): Promise<void> {
    await publisher.room();
    this.throwIfFailed();
    this.send(publisher, subject, payload);
  }

  private send(publisher: JetStreamPublisher, subject: string, payload: Uint8Array): void {
    this.unacknowledged += 1;
    publisher.send(subject, payload, undefined, (error) => {
      if (error !== undefined) this.failure ??= new NatsConnectorError(this.where, `publishing to "${subject}" failed (${reason(error)})`, { cause: error });
      this.unacknowledged -= 1;
      if (this.unacknowledged === 0) {
        const drained = this.drained;
        this.drained = undefined;
        drained?.();
      }
    });
  }

  async close(): Promise<void> {
    this.publisher?.close();
    await this.target.close();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
