import { DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { NatsSplit } from './nats-split.js';
import { natsSplit } from './nats-split.js';

/**
 * The reading of one split by a reader: an ordered consumer of the stream
 * with the split's filter subject, started at its position (`nextSequence`).
 * An ordered consumer is ephemeral, needs no acks (positions are
 * checkpointed by the runtime, not acknowledged to the server) and is
 * recreated by the client from the last delivered sequence after a gap or a
 * lost connection, so messages come in stream order without duplicates.
 *
 * Invariants: `buffer` holds messages with sequences >= `nextSequence`, in
 * order; `take` advances `nextSequence` past each message it returns; the
 * pump stops pulling while the buffer is full (`highWater`). A bounded split
 * is finished once it passed its stop sequence, or read every message of
 * its filter stored at or below it.
 */
export class SplitReading {
  private readonly buffer: JsMsg[] = [];
  private head = 0;
  private nextSequence: number;
  private messages: ConsumerMessages | undefined;
  private resumePump: (() => void) | undefined;
  private stopped = false;
  /** Set when the consumer failed: pollNext rethrows it. */
  failure: Error | undefined;
  /** Bounded split read to its end (nothing left in the buffer either). */
  private ended = false;

  constructor(
    readonly split: NatsSplit,
    private readonly highWater: number,
    private readonly onChange: () => void,
  ) {
    this.nextSequence = split.nextSequence;
  }

  get splitId(): string {
    return this.split.splitId;
  }

  /** The split with its current position. */
  snapshot(): NatsSplit {
    return natsSplit(this.split.filterSubject, this.nextSequence, this.split.stopSequence);
  }

  get buffered(): number {
    return this.buffer.length - this.head;
  }

  get finished(): boolean {
    return this.ended && this.buffered === 0;
  }

  async start(client: JetStreamClient, stream: string, hasMessageUpToStop: () => Promise<boolean>): Promise<void> {
    const stop = this.split.stopSequence;
    if (stop !== undefined && (this.nextSequence > stop || !(await hasMessageUpToStop()))) {
      this.end();
      return;
    }
    const consumer = await client.consumers.get(stream, {
      filter_subjects: this.split.filterSubject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.nextSequence,
    });
    if (this.stopped) return;
    this.messages = await consumer.consume({ max_messages: this.highWater });
    void this.pump(this.messages);
  }

  /** Up to `max` messages, oldest first; advances the position past each. */
  take(max: number): JsMsg[] {
    const end = Math.min(this.buffer.length, this.head + max);
    const taken = this.buffer.slice(this.head, end);
    this.head = end;
    if (this.head === this.buffer.length) {
      this.buffer.length = 0;
      this.head = 0;
    }
    const last = taken[taken.length - 1];
    if (last !== undefined) this.nextSequence = last.seq + 1;
    if (this.resumePump !== undefined && this.buffered < this.highWater / 2) {
      const resume = this.resumePump;
      this.resumePump = undefined;
      resume();
    }
    return taken;
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.resumePump?.();
    await this.messages?.close().catch(() => undefined);
  }

  private async pump(messages: ConsumerMessages): Promise<void> {
    const stop = this.split.stopSequence;
    try {
      for await (const message of messages) {
        if (this.stopped) break;
        if (stop !== undefined && message.seq > stop) {
          this.end();
          break;
        }
        this.buffer.push(message);
        this.onChange();
        if (stop !== undefined && (message.seq === stop || message.info.pending === 0)) {
          this.end();
          break;
        }
        if (this.buffered >= this.highWater) await new Promise<void>((resolve) => (this.resumePump = resolve));
      }
    } catch (err) {
      if (!this.stopped) this.failure = err instanceof Error ? err : new Error(String(err));
      this.onChange();
    }
  }

  private end(): void {
    this.ended = true;
    void this.messages?.close().catch(() => undefined);
    this.onChange();
  }
}
