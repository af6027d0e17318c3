import type { CommitRequest, Committer } from '@rivulet/api';
import { NatsConnectorError, reason, type ConnectorLocation } from '../connection/nats-connector-error.js';
import { JetStreamPublisher, PublishError, type PublishAck } from './jetstream-publisher.js';
import type { NatsCommittable } from './nats-committable.js';
import type { SinkTarget } from './sink-target.js';

/** What one commit did, for tests and logs. */
export interface CommitOutcome {
  readonly published: number;
  readonly duplicates: number;
}

/**
 * Commits the committables of an exactly-once NatsSink: publishes every
 * message of a committable with its deterministic `Nats-Msg-Id` and waits
 * for the stream's acknowledgements. Idempotent within the stream's
 * duplicate window: a committable committed again (after a recovery, or a
 * retry after a partial failure) is acknowledged as duplicates and stored
 * once.
 *
 * Outcomes: every message acknowledged -> committed (already committed when
 * all were duplicates); a permanent refusal (no stream captures a subject,
 * the stream rejects the message) -> failed with a known reason, naming the
 * subject; anything else (a timeout, a lost connection) -> retried later,
 * with the same ids.
 */
export class NatsCommitter implements Committer<NatsCommittable> {
  private readonly publisher: JetStreamPublisher;
  /** Outcomes of the commits so far, in order. */
  readonly outcomes: CommitOutcome[] = [];

  constructor(
    private readonly where: ConnectorLocation,
    private readonly target: SinkTarget,
    ackTimeoutMs?: number,
    maxInFlight?: number,
  ) {
    this.publisher = new JetStreamPublisher(target.connection, ackTimeoutMs, maxInFlight);
  }

  async commit(requests: readonly CommitRequest<NatsCommittable>[]): Promise<void> {
    for (const request of requests) await this.commitOne(request);
  }

  async close(): Promise<void> {
    this.publisher.close();
    await this.target.close();
  }

  private async commitOne(request: CommitRequest<NatsCommittable>): Promise<void> {
    const { messageIdPrefix, subjects, payloads } = request.committable;
    // Publish with a window of acks in flight; after the first failure publish no more (the retry repeats them all).
    const acks: Promise<PublishAck | undefined>[] = [];
    let failure: unknown;
    let failures = 0;
    for (let i = 0; i < payloads.length && failure === undefined; i += 1) {
      await this.publisher.room();
      if (failure !== undefined) break;
      acks.push(
        this.publisher.publish(subjects[i]!, payloads[i]!, `${messageIdPrefix}.${i}`).catch((err: unknown) => {
          failure ??= err;
          failures += 1;
          return undefined;
        }),
      );
    }
    const results = await Promise.all(acks);
    if (failure !== undefined) {
      const error = new NatsConnectorError(this.where, `committing ${payloads.length} messages (ids ${messageIdPrefix}.*) failed, ${failures} of them or more (${reason(failure)})`, { cause: failure });
      if (failure instanceof PublishError && failure.permanent) request.signalFailedWithKnownReason(error);
      else request.retryLater();
      return;
    }
    const duplicates = results.filter((ack) => ack?.duplicate === true).length;
    this.outcomes.push({ published: payloads.length - duplicates, duplicates });
    if (payloads.length > 0 && duplicates === payloads.length) request.signalAlreadyCommitted();
  }
}
