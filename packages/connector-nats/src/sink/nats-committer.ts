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
    let failure: unknown;
    let failures = 0;
    let duplicates = 0;
    let outstanding = 0;
    let allSent = false;
    let finished: () => void = () => undefined;
    const acknowledged = new Promise<void>((resolve) => (finished = resolve));
    const done = (error: PublishError | undefined, ack: PublishAck | undefined): void => {
      if (error !== undefined) {
        failure ??= error;
        failures += 1;
      } else if (ack?.duplicate === true) duplicates += 1;
      outstanding -= 1;
      if (allSent && outstanding === 0) finished();
    };
    for (let i = 0; i < payloads.length && failure === undefined; i += 1) {
      if (!this.publisher.hasRoom) {
        await this.publisher.room();
        if (failure !== undefined) break;
      }
      outstanding += 1;
      this.publisher.send(subjects[i]!, payloads[i]!, `${messageIdPrefix}.${i}`, done);
    }
    allSent = true;
    if (outstanding > 0) await acknowledged;
    if (failure !== undefined) {
      const error = new NatsConnectorError(this.where, `committing ${payloads.length} messages (ids ${messageIdPrefix}.*) failed, ${failures} of them or more (${reason(failure)})`, { cause: failure });
      if (failure instanceof PublishError && failure.permanent) request.signalFailedWithKnownReason(error);
      else request.retryLater();
      return;
    }
    this.outcomes.push({ published: payloads.length - duplicates, duplicates });
    if (payloads.length > 0 && duplicates === payloads.length) request.signalAlreadyCommitted();
  }
}
