import { Deque } from '../../network/deque.js';
import { Notifier } from '../../network/notifier.js';
import type { ChannelEvent, InputGate, InputGateEntry } from '../../network/network-api.js';
import { batchEntry, decodeBatch, type DecodedBatch } from '../../network/record-serializer.js';
import type { ToSocket } from './exchange-messages.js';
import type { InThreadChannel } from './in-thread-channels.js';

type Received = { readonly payload: Buffer } | { readonly records: unknown[]; readonly timestamps?: readonly number[] | undefined; readonly keyGroups?: readonly number[] | undefined } | { readonly event: ChannelEvent };

interface Channel {
  readonly index: number;
  readonly queue: Deque<Received>;
  blocked: boolean;
  inRing: boolean;
  /** Delivered end-of-partition. */
  ended: boolean;
  /** Set for a channel whose producer runs in this thread; else the socket side's index of the channel. */
  readonly inThread: InThreadChannel | undefined;
  readonly socketIndex: number;
}

/**
 * The input gate of a task in a slot's thread: the socket side
 * (SocketExchange: the slot thread's own network stack) reads the task's
 * channels from producers in other slots and TaskManagers and hands their
 * batches over still serialized; they are decoded here, when the task takes
 * them. Channels from producers in the same slot never leave this
 * thread (InThreadChannel): their batches arrive as arrays.
 *
 * Invariants (as SingleInputGate's): the ring holds exactly the unblocked
 * channels that have something queued, each once, and `poll()` serves them
 * round-robin; a blocked channel (barrier alignment) is never polled; taking
 * a batch gives its channel one credit back to the socket side, which
 * hands over at most `gateCredit` untaken batches per channel.
 */
export class ThreadInputGate implements InputGate {
  /** Bytes of the batches received from outside the slot's thread (Flink's numBytesIn). */
  bytesIn = 0;
  private readonly channels: Channel[];
  private readonly ring = new Deque<Channel>();
  private readonly notifier = new Notifier();
  private endedChannels = 0;
  private firstFailure: Error | undefined;
  private closed = false;

  /** The socket side's channel index -> this gate's. */
  private readonly fromSocket: number[] = [];

  /** `inThread[i]`: channel i's producer runs in this thread (undefined: it is read by the socket side). */
  constructor(
    readonly gateId: number,
    inThread: readonly (InThreadChannel | undefined)[],
    private readonly owner: string,
    private readonly post: (message: ToSocket) => void,
  ) {
    this.numberOfChannels = inThread.length;
    this.channels = inThread.map((channel, index) => {
      const socketIndex = channel === undefined ? this.fromSocket.push(index) - 1 : -1;
      return { index, queue: new Deque<Received>(), blocked: false, inRing: false, ended: false, inThread: channel, socketIndex };
    });
    for (const channel of this.channels) {
      channel.inThread?.attachReader({
        deliver: (item) => this.push(channel, item),
        producerGone: (error) => this.fail(`input channel ${channel.index} of ${this.owner}: ${error.message}`),
      });
    }
  }

  readonly numberOfChannels: number;

  /** Channels the socket side reads for this gate. */
  get socketChannels(): number {
    return this.fromSocket.length;
  }

  get finished(): boolean {
    return this.endedChannels === this.numberOfChannels;
  }

  get failure(): Error | undefined {
    return this.firstFailure;
  }

  poll(): InputGateEntry | undefined {
    if (this.firstFailure !== undefined || this.closed) return undefined;
    const channel = this.ring.shift();
    if (channel === undefined) return undefined;
    channel.inRing = false;
    const item = channel.queue.shift()!;
    if (channel.queue.length > 0) {
      channel.inRing = true;
      this.ring.push(channel);
    }
    if ('event' in item) {
      if (item.event.kind === 'end-of-partition') {
        this.endedChannels += 1;
        channel.ended = true;
        channel.inThread?.consumed();
        if (this.finished) this.notifier.notify();
      }
      return { channel: channel.index, event: item.event };
    }
    if ('records' in item) {
      channel.inThread!.taken();
      return { channel: channel.index, records: item.records, timestamps: item.timestamps, keyGroups: item.keyGroups };
    }
    this.post({ kind: 'gate-credit', gateId: this.gateId, channel: channel.socketIndex });
    this.bytesIn += item.payload.byteLength;
    let batch: DecodedBatch;
    try {
      batch = decodeBatch(Buffer.from(item.payload.buffer, item.payload.byteOffset, item.payload.byteLength));
    } catch (error) {
      this.fail(`cannot decode a batch of input channel ${channel.index} of ${this.owner}: ${(error as Error).message}`);
      return undefined;
    }
    return batchEntry(channel.index, batch);
  }

  whenAvailable(): Promise<void> {
    if (this.ring.length > 0 || this.firstFailure !== undefined || this.closed || this.finished) return Promise.resolve();
    return this.notifier.wait();
  }

  blockChannel(index: number): void {
    const channel = this.channelAt(index);
    channel.blocked = true;
    if (channel.inRing) {
      channel.inRing = false;
      this.ring.removeWhere((c) => c === channel);
    }
  }

  unblockChannel(index: number): void {
    const channel = this.channelAt(index);
    channel.blocked = false;
    this.ready(channel);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ring.clear();
    this.notifier.notify();
    const closed = new Error(`the input gate of ${this.owner} closed`);
    for (const channel of this.channels) if (!channel.ended) channel.inThread?.readerGone(closed);
    if (this.fromSocket.length > 0) this.post({ kind: 'gate-close', gateId: this.gateId });
  }

  // From the socket side (its channel indices)

  onBuffer(socketIndex: number, payload: Buffer): void {
    this.push(this.channelAt(this.fromSocket[socketIndex] ?? -1), { payload });
  }

  onEvent(socketIndex: number, event: ChannelEvent): void {
    this.push(this.channelAt(this.fromSocket[socketIndex] ?? -1), { event });
  }

  fail(message: string): void {
    if (this.firstFailure !== undefined || this.closed) return;
    this.firstFailure = new Error(message);
    this.notifier.notify();
  }

  private push(channel: Channel, item: Received): void {
    if (this.closed) return;
    channel.queue.push(item);
    this.ready(channel);
  }

  private ready(channel: Channel): void {
    if (channel.inRing || channel.blocked || channel.queue.length === 0 || this.closed) return;
    channel.inRing = true;
    this.ring.push(channel);
    this.notifier.notify();
  }

  private channelAt(index: number): Channel {
    const channel = this.channels[index];
    if (channel === undefined) throw new RangeError(`input gate of ${this.owner} has no channel ${index}`);
    return channel;
  }
}
