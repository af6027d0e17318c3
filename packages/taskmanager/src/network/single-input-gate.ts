import type { Logger } from '@rivulet/common/task-runtime';
import { Deque } from './deque.js';
import type { GateCallbacks, InputChannel } from './input-channel.js';
import type { InputGate, InputGateEntry } from './network-api.js';
import type { ChannelEntry } from './input-channel.js';
import { Notifier } from './notifier.js';

/**
 * The consumer's side of all channels one subtask reads.
 *
 * Invariants:
 * - the ring holds exactly the unblocked channels that have data, each once;
 *   `poll()` takes one entry from the channel at its head and puts the
 *   channel back at its tail if it still has data, so every channel with data
 *   is served within one round (no starvation) and blocked channels are
 *   never polled;
 * - `whenAvailable()` resolves when `poll()` can return something, or the
 *   gate failed, finished or closed — never merely because a blocked channel
 *   received data;
 * - the first channel failure is kept in `failure`; after it `poll()` returns
 *   nothing more.
 */
export class SingleInputGate<Entry extends ChannelEntry = InputGateEntry> implements InputGate<Entry>, GateCallbacks {
  readonly numberOfChannels: number;
  private readonly channels: readonly InputChannel[];
  private readonly blocked: boolean[];
  private readonly ring = new Deque<InputChannel>();
  /** Channels with an unaligned checkpoint's barrier at their head, served first. */
  private readonly priorityChannels = new Deque<InputChannel>();
  private readonly notifier = new Notifier();
  private endedChannels = 0;
  private firstFailure: Error | undefined;
  private closed = false;

  constructor(
    readonly owner: string,
    numberOfChannels: number,
    createChannel: (index: number, gate: GateCallbacks) => InputChannel,
    private readonly log: Logger,
    private readonly onClosed: (gate: SingleInputGate<Entry>) => void,
  ) {
    this.numberOfChannels = numberOfChannels;
    this.blocked = new Array<boolean>(numberOfChannels).fill(false);
    this.channels = Array.from({ length: numberOfChannels }, (_, i) => createChannel(i, this));
    for (const channel of this.channels) channel.start();
  }

  get finished(): boolean {
    return this.endedChannels === this.numberOfChannels;
  }

  get failure(): Error | undefined {
    return this.firstFailure;
  }

  get queuedBuffers(): number {
    return this.channels.reduce((sum, c) => sum + c.queuedBuffers, 0);
  }

  get queuedBytes(): number {
    return this.channels.reduce((sum, c) => sum + c.queuedBytes, 0);
  }

  poll(): Entry | undefined {
    if (this.firstFailure !== undefined || this.closed) return undefined;
    const priority = this.priorityChannels.shift();
    if (priority !== undefined) {
      const entry = priority.take();
      this.channelHasData(priority); // what the barrier overtook is served as usual
      if (entry !== undefined) return entry as Entry;
    }
    for (let channel = this.ring.shift(); channel !== undefined; channel = this.ring.shift()) {
      channel.inRing = false;
      const entry = channel.take();
      if (entry === undefined) {
        if (this.firstFailure !== undefined) return undefined;
        continue;
      }
      if (channel.hasData) {
        channel.inRing = true;
        this.ring.push(channel);
      }
      if ('event' in entry && entry.event.kind === 'end-of-partition') {
        this.endedChannels += 1;
        if (this.finished) this.notifier.notify();
      }
      return entry as Entry;
    }
    return undefined;
  }

  whenAvailable(): Promise<void> {
    if (this.ring.length > 0 || this.priorityChannels.length > 0 || this.firstFailure !== undefined || this.closed || this.finished) return Promise.resolve();
    return this.notifier.wait();
  }

  blockChannel(channel: number): void {
    const target = this.channelAt(channel);
    this.blocked[channel] = true;
    if (target.inRing) {
      target.inRing = false;
      this.ring.removeWhere((c) => c === target);
    }
  }

  unblockChannel(channel: number): void {
    const target = this.channelAt(channel);
    this.blocked[channel] = false;
    this.channelHasData(target);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const channel of this.channels) channel.close();
    this.ring.clear();
    this.priorityChannels.clear();
    this.notifier.notify();
    this.onClosed(this);
  }

  /** Fails the gate from outside (job attempt released) and closes it. */
  release(error: Error): void {
    this.firstFailure ??= error;
    this.close();
  }

  // GateCallbacks

  channelHasData(channel: InputChannel): void {
    if (channel.inRing || this.closed || this.blocked[channel.index] === true || !channel.hasData) return;
    channel.inRing = true;
    this.ring.push(channel);
    this.notifier.notify();
  }

  channelHasPriorityEvent(channel: InputChannel): void {
    if (this.closed) return;
    this.priorityChannels.push(channel);
    this.notifier.notify();
  }

  channelFailed(channel: InputChannel, error: Error): void {
    if (this.firstFailure !== undefined || this.closed) return;
    this.firstFailure = error;
    this.log.warn({ owner: this.owner, channel: channel.index, err: error.message }, 'Input channel failed');
    this.notifier.notify();
  }

  private channelAt(index: number): InputChannel {
    const channel = this.channels[index];
    if (channel === undefined) throw new RangeError(`input gate of ${this.owner} has no channel ${index}`);
    return channel;
  }
}
