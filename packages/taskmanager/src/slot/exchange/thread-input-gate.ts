import { Deque } from '../../network/deque.js';
import { Notifier } from '../../network/notifier.js';
import type { ChannelEvent, InputGate, InputGateEntry } from '../../network/network-api.js';
import { batchEntry, decodeBatch, type DecodedBatch } from '../../network/record-serializer.js';
import type { ToSocket } from './exchange-messages.js';
import type { InThreadChannel } from './in-thread-channels.js';
import { InputChannelStateRecording } from '../checkpointing/channel-state-recording.js';

type BarrierEvent = Extract<ChannelEvent, { kind: 'barrier' }>;

/** An unaligned checkpoint's barrier that reached a channel and overtook `ahead` queued items, not yet taken by the task. */
interface PriorityBarrier {
  readonly channel: number;
  readonly barrier: BarrierEvent;
  readonly ahead: number;
  /** Batches the barrier overtook in the network stack: they arrive after it and belong before it. */
  readonly behind: number;
}

type Received = { readonly payload: Buffer } | { readonly records: unknown[]; readonly timestamps?: readonly number[] | undefined; readonly keyGroups?: readonly number[] | undefined } | { readonly event: ChannelEvent };

interface Channel {
  readonly index: number;
  readonly queue: Deque<Received>;
  blocked: boolean;
  inRing: boolean;
  /** Delivered end-of-partition. */
  ended: boolean;
  /** Credits given back for recorded batches before the task took them (unaligned checkpoints). */
  prepaid: number;
  /** Recording after its barrier arrived: batches still to come that its barrier overtook in the network stack. */
  owed: number;
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
 *
 * Unaligned checkpoints: a barrier marked `unaligned` overtakes its
 * channel's queue — `poll()` returns it before any batch — and the gate
 * records the checkpoint's input channel state from that moment on
 * (InputChannelStateRecording): on the channels that delivered their barrier
 * already, the batches it overtook; on the others, every batch until their
 * barrier arrives. A recorded batch of a socket channel gives its credit
 * back at once, so the batches in flight ahead of the barrier reach the gate
 * without waiting for the task.
 */
export class ThreadInputGate implements InputGate {
  /** Bytes of the batches received from outside the slot's thread (Flink's numBytesIn). */
  bytesIn = 0;
  private readonly channels: Channel[];
  private readonly ring = new Deque<Channel>();
  private readonly notifier = new Notifier();
  /** Wakes a task waiting for backpressure when an unaligned checkpoint's barrier arrives. */
  private readonly priorityNotifier = new Notifier();
  private endedChannels = 0;
  private firstFailure: Error | undefined;
  private closed = false;
  /** Barriers of unaligned checkpoints not yet taken by the task, in arrival order. */
  private priority: PriorityBarrier[] = [];
  /** The unaligned checkpoint whose input channel state is being recorded. */
  private recording: InputChannelStateRecording | undefined;
  /** Highest unaligned checkpoint whose recording began: its later barriers only end channels' recording. */
  private lastRecorded = -1;

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
      return { index, queue: new Deque<Received>(), blocked: false, inRing: false, ended: false, prepaid: 0, owed: 0, inThread: channel, socketIndex };
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

  /** An unaligned checkpoint's barrier waits: the task takes it before anything else. */
  get hasPriorityEvent(): boolean {
    return this.priority.length > 0 && this.firstFailure === undefined && !this.closed;
  }

  /** The input channel state of the unaligned checkpoint whose barrier `poll()` returned last (until it settles). */
  recordingOf(checkpointId: number): InputChannelStateRecording | undefined {
    return this.recording?.checkpointId === checkpointId ? this.recording : undefined;
  }

  poll(): InputGateEntry | undefined {
    if (this.firstFailure !== undefined || this.closed) return undefined;
    const first = this.priority.shift();
    if (first !== undefined) {
      this.beginRecording(first);
      return { channel: first.channel, event: first.barrier };
    }
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
    if (channel.prepaid > 0) channel.prepaid -= 1;
    else this.post({ kind: 'gate-credit', gateId: this.gateId, channel: channel.socketIndex });
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

  /** Resolves once an unaligned checkpoint's barrier waits (at once if one does, or the gate failed or closed). */
  whenPriorityEvent(): Promise<void> {
    if (this.priority.length > 0 || this.firstFailure !== undefined || this.closed) return Promise.resolve();
    return this.priorityNotifier.wait();
  }

  whenAvailable(): Promise<void> {
    if (this.ring.length > 0 || this.priority.length > 0 || this.firstFailure !== undefined || this.closed || this.finished) return Promise.resolve();
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
    this.recording?.abort(`the input gate of ${this.owner} closed`);
    this.recording = undefined;
    this.notifier.notify();
    this.priorityNotifier.notify();
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
    this.priorityNotifier.notify();
  }

  private push(channel: Channel, item: Received): void {
    if (this.closed) return;
    if ('event' in item && item.event.kind === 'barrier' && item.event.unaligned === true) {
      this.onPriorityBarrier(channel, item.event);
      return;
    }
    const recording = this.recording;
    if (recording !== undefined && recording.isRecording(channel.index)) {
      this.record(recording, channel, item);
      if (channel.owed > 0 && 'payload' in item && --channel.owed === 0) recording.finishChannel(channel.index);
    }
    channel.queue.push(item);
    this.ready(channel);
  }

  private ready(channel: Channel): void {
    if (channel.inRing || channel.blocked || channel.queue.length === 0 || this.closed) return;
    channel.inRing = true;
    this.ring.push(channel);
    this.notifier.notify();
  }

  /** A batch in flight ahead of the channel's barrier: input channel state. A socket channel's credit comes back at once. */
  private record(recording: InputChannelStateRecording, channel: Channel, item: Received): void {
    if ('payload' in item) {
      recording.recordPayload(channel.index, item.payload);
      if (channel.inThread === undefined) {
        channel.prepaid += 1;
        this.post({ kind: 'gate-credit', gateId: this.gateId, channel: channel.socketIndex });
      }
    } else if ('records' in item) {
      recording.recordRecords(channel.index, item.records, item.timestamps);
    } else if (item.event.kind === 'end-of-partition') {
      recording.finishChannel(channel.index);
    }
  }

  private onPriorityBarrier(channel: Channel, barrier: BarrierEvent): void {
    const id = barrier.checkpointId;
    const recording = this.recording;
    if (recording !== undefined && !recording.isSettled && id === recording.checkpointId) {
      channel.owed = barrier.overtakenBuffers ?? 0;
      if (channel.owed === 0) recording.finishChannel(channel.index);
      return;
    }
    if (id <= this.lastRecorded) return; // stale: its checkpoint was taken or given up
    if (recording !== undefined && !recording.isSettled) {
      recording.abort(`checkpoint ${id} overtook checkpoint ${recording.checkpointId} while its in-flight data was recorded`);
      this.recording = undefined;
    }
    this.priority.push({ channel: channel.index, barrier, ahead: channel.queue.length, behind: barrier.overtakenBuffers ?? 0 });
    this.notifier.notify();
    this.priorityNotifier.notify();
  }

  /**
   * The task takes `first` and snapshots before it takes anything else:
   * from here the checkpoint's in-flight input is recorded. A channel whose
   * barrier already arrived gives the items it overtook; the others give
   * everything queued and what arrives until their barrier.
   */
  private beginRecording(first: PriorityBarrier): void {
    const id = first.barrier.checkpointId;
    const recording = new InputChannelStateRecording(id, { partitionId: `channel state of ${this.owner}`, owner: this.owner });
    const arrived = new Map<number, PriorityBarrier>([[first.channel, first]]);
    for (const other of this.priority) if (other.barrier.checkpointId === id) arrived.set(other.channel, other);
    this.priority = this.priority.filter((other) => other.barrier.checkpointId > id);
    this.lastRecorded = id;
    this.recording = recording;
    for (const channel of this.channels) {
      channel.owed = 0;
      if (channel.ended) continue;
      const barrier = arrived.get(channel.index);
      // Until its barrier (not arrived), or the batches ahead of it and those it overtook in the network stack.
      const untilBarrier = barrier === undefined;
      let owed = barrier?.behind ?? 0;
      recording.startChannel(channel.index);
      let seen = 0;
      for (const item of channel.queue) {
        seen += 1;
        if ('event' in item) {
          if (item.event.kind === 'end-of-partition') recording.finishChannel(channel.index);
          continue;
        }
        if (barrier !== undefined && seen > barrier.ahead) {
          if (owed === 0 || !('payload' in item)) break;
          owed -= 1;
        }
        this.record(recording, channel, item);
      }
      if (!untilBarrier) {
        channel.owed = owed;
        if (owed === 0) recording.finishChannel(channel.index);
      }
    }
    recording.seal();
  }

  private channelAt(index: number): Channel {
    const channel = this.channels[index];
    if (channel === undefined) throw new RangeError(`input gate of ${this.owner} has no channel ${index}`);
    return channel;
  }
}
