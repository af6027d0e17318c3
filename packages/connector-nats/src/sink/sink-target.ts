import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connectConnector, jetStreamManagerFor, streamInfo } from '../connection/connect.js';
import { NatsConnectorError, reason, type ConnectorLocation } from '../connection/nats-connector-error.js';
import { capturedBy, isValidSubject } from '../connection/subjects.js';
import type { NatsSinkOptions } from './nats-sink-options.js';

/** NATS's default duplicate window. */
export const DEFAULT_MIN_DUPLICATE_WINDOW_MS = 120_000;

/**
 * The stream a NatsSink publishes into, checked: it exists, captures the
 * sink's fixed subject, and (exactly-once) keeps duplicates for at least
 * `minDuplicateWindowMs`. `checkSubject` checks each record's subject
 * against the stream's subjects before it is published or kept.
 */
export class SinkTarget {
  private constructor(
    readonly connection: NatsConnection,
    private readonly where: ConnectorLocation,
    private readonly streamSubjects: readonly string[],
    readonly duplicateWindowMs: number,
  ) {}

  static async open<T>(where: ConnectorLocation, options: NatsSinkOptions<T>, exactlyOnce: boolean): Promise<SinkTarget> {
    const connection = await connectConnector(where, options);
    try {
      const manager = await jetStreamManagerFor(where, connection);
      if (options.createStream !== undefined) await createStreamIfMissing(where, manager, options.stream, options.createStream);
      const info = await streamInfo(where, manager, options.stream);
      const duplicateWindowMs = Math.floor((info.config.duplicate_window ?? 0) / 1e6);
      const target = new SinkTarget(connection, where, info.config.subjects ?? [], duplicateWindowMs);
      if (typeof options.subject === 'string') target.checkSubject(options.subject);
      const minimum = options.minDuplicateWindowMs ?? DEFAULT_MIN_DUPLICATE_WINDOW_MS;
      if (exactlyOnce && duplicateWindowMs < minimum) {
        throw new NatsConnectorError(
          where,
          `stream "${options.stream}" keeps duplicates for ${duplicateWindowMs} ms, less than the ${minimum} ms exactly-once needs (option minDuplicateWindowMs): a recovery slower than the window would publish a checkpoint's records twice; raise the stream's duplicate_window`,
        );
      }
      return target;
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
  }

  checkSubject(subject: string): void {
    if (!isValidSubject(subject) || subject.includes('*') || subject.includes('>')) {
      throw new NatsConnectorError(this.where, `"${subject}" is not a subject a message can be published to`);
    }
    if (!capturedBy(this.streamSubjects, subject)) {
      throw new NatsConnectorError(this.where, `subject "${subject}" is outside stream "${this.where.stream}" (its subjects: ${this.streamSubjects.join(', ')})`);
    }
  }

  async close(): Promise<void> {
    await this.connection.drain().catch(() => undefined);
  }
}

/** Adds the stream unless it exists; two writers creating it at once both succeed (same configuration). */
async function createStreamIfMissing(
  where: ConnectorLocation,
  manager: JetStreamManager,
  stream: string,
  config: { readonly subjects: readonly string[]; readonly duplicateWindowMs?: number },
): Promise<void> {
  try {
    await manager.streams.info(stream);
    return;
  } catch (err) {
    if (!/not found/i.test(reason(err))) throw new NatsConnectorError(where, `cannot read the configuration of stream "${stream}" (${reason(err)})`, { cause: err });
  }
  try {
    await manager.streams.add({ name: stream, subjects: [...config.subjects], duplicate_window: (config.duplicateWindowMs ?? DEFAULT_MIN_DUPLICATE_WINDOW_MS) * 1e6 });
  } catch (err) {
    if (/already in use/i.test(reason(err))) return; // created meanwhile by another writer
    throw new NatsConnectorError(where, `cannot create stream "${stream}" with subjects ${config.subjects.join(', ')} (${reason(err)})`, { cause: err });
  }
}
