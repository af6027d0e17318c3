import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** A JetStream publish acknowledgement: where the stream stored the message, or that it dropped it as a duplicate. */
export interface PublishAck {
  readonly stream: string;
  readonly sequence: number;
  readonly duplicate: boolean;
}

/** Why the stream did not store a message: `permanent` when retrying cannot help (no stream captures the subject...). */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

/** Called once per message: with the stream's ack, or with why it has none. */
export type PublishCallback = (error: PublishError | undefined, ack: PublishAck | undefined) => void;

interface Pending {
  readonly subject: string;
  readonly deadline: number;
  readonly done: PublishCallback;
}

/**
 * Publishes to JetStream with many messages in flight: each message is a
 * core NATS publish whose reply subject is a token under one inbox of this
 * publisher, and the stream's acknowledgements come back on that inbox. The
 * client's own `js.publish` is a request per message (measured ~9k/s here
 * with 1,000 in flight, against ~38k/s this way: see docs/connectors-nats.md).
 *
 * Invariants: every `publish` promise settles — with the stream's ack, its
 * error, or a timeout after `ackTimeoutMs`; at most `maxInFlight` messages
 * are unacknowledged (publish waits for room); a `Nats-Msg-Id` is sent as a
 * header when given, so the stream's duplicate window drops a message
 * published twice with the same id (`duplicate: true`).
 */
export class JetStreamPublisher {
  private readonly inbox = createInbox();
  private readonly subscription: Subscription;
  private readonly pending = new Map<number, Pending>();
  private readonly waitingForRoom: (() => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;
  private nextToken = 0;

  constructor(
    private readonly connection: NatsConnection,
    private readonly ackTimeoutMs = 10_000,
    private readonly maxInFlight = 4096,
  ) {
    this.subscription = connection.subscribe(`${this.inbox}.*`, { callback: (_err, message) => this.acknowledged(message) });
    this.sweeper = setInterval(() => this.expire(), Math.min(1000, ackTimeoutMs));
    this.sweeper.unref();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves once fewer than `maxInFlight` messages are unacknowledged. */
  async room(): Promise<void> {
    while (this.pending.size >= this.maxInFlight) await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
  }

  /** True while fewer than `maxInFlight` messages are unacknowledged: `send` may be called. */
  get hasRoom(): boolean {
    return this.pending.size < this.maxInFlight;
  }

  async publish(subject: string, data: Uint8Array, messageId?: string): Promise<PublishAck> {
    await this.room();
    return new Promise<PublishAck>((resolve, reject) => this.send(subject, data, messageId, (error, ack) => (error ? reject(error) : resolve(ack!))));
  }

  /**
   * Publishes now, without a promise (the hot path of the writers): `done`
   * is called once with the outcome. Call it only while `hasRoom`.
   */
  send(subject: string, data: Uint8Array, messageId: string | undefined, done: PublishCallback): void {
    const token = this.nextToken++;
    this.pending.set(token, { subject, deadline: Date.now() + this.ackTimeoutMs, done });
    let messageHeaders;
    if (messageId !== undefined) {
      messageHeaders = headers();
      messageHeaders.set('Nats-Msg-Id', messageId);
    }
    try {
      this.connection.publish(subject, data, { reply: `${this.inbox}.${token}`, ...(messageHeaders ? { headers: messageHeaders } : {}) });
    } catch (err) {
      this.settle(token)?.done(new PublishError(`cannot publish to "${subject}": ${err instanceof Error ? err.message : String(err)}`, false), undefined);
    }
  }

  /** Fails what is still in flight and stops listening for acknowledgements. */
  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    for (const token of [...this.pending.keys()]) this.settle(token)?.done(new PublishError('the publisher was closed before the stream acknowledged', false), undefined);
  }

  private acknowledged(message: Msg): void {
    const token = Number(message.subject.slice(this.inbox.length + 1));
    const pending = this.settle(token);
    if (pending === undefined) return; // timed out before
    const status = message.headers;
    if (status?.hasError || (status !== undefined && status.code >= 300)) {
      const noStream = status.code === 503;
      pending.done(new PublishError(noStream ? `no stream captures subject "${pending.subject}" (no responders)` : `publishing to "${pending.subject}" failed: ${status.code} ${status.description}`, noStream), undefined);
      return;
    }
    try {
      const ack = message.json<{ stream?: string; seq?: number; duplicate?: boolean; error?: { code?: number; description?: string } }>();
      if (ack.error !== undefined) {
        pending.done(new PublishError(`the stream refused a message of "${pending.subject}": ${ack.error.description ?? ''} (${ack.error.code ?? '?'})`, (ack.error.code ?? 0) < 500), undefined);
        return;
      }
      pending.done(undefined, { stream: ack.stream ?? '', sequence: ack.seq ?? 0, duplicate: ack.duplicate === true });
    } catch (err) {
      pending.done(new PublishError(`unreadable acknowledgement for "${pending.subject}": ${err instanceof Error ? err.message : String(err)}`, false), undefined);
    }
  }

  private settle(token: number): Pending | undefined {
    const pending = this.pending.get(token);
    if (pending === undefined) return undefined;
    this.pending.delete(token);
    this.waitingForRoom.shift()?.();
    return pending;
  }

  private expire(): void {
    const now = Date.now();
    for (const [token, pending] of this.pending) {
      if (pending.deadline <= now) this.settle(token)?.done(new PublishError(`no acknowledgement for a message of "${pending.subject}" within ${this.ackTimeoutMs} ms`, false), undefined);
    }
  }
}
