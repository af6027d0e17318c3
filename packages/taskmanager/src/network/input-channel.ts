import type { InputGateEntry, RawInputGateEntry } from './network-api.js';

/** A decoded batch, a raw one (raw gates), or an event. */
export type ChannelEntry = InputGateEntry | RawInputGateEntry;

/** One channel of an input gate: the consumer's end of one subpartition, local or remote. */
export interface InputChannel {
  readonly index: number;
  /** Owned by the gate: true while the channel sits in the gate's round-robin ring. */
  inRing: boolean;
  /** Something can be taken now. */
  readonly hasData: boolean;
  /** Received buffers not yet taken (for stats and bounds). */
  readonly queuedBuffers: number;
  readonly queuedBytes: number;
  /** Requests the subpartition. Called once, after every channel of the gate exists. */
  start(): void;
  /** The next batch or event, or undefined (nothing, or the channel just failed). */
  take(): ChannelEntry | undefined;
  /** Gives the channel up (cancels the request or the subpartition when not ended). */
  close(): void;
}

/** How a channel reports to its gate. */
export interface GateCallbacks {
  /** The channel has data (it may already be in the ring: the gate checks). */
  channelHasData(channel: InputChannel): void;
  channelFailed(channel: InputChannel, error: Error): void;
  /** An unaligned checkpoint's barrier is at the channel's head: taken before anything else, blocked or not. */
  channelHasPriorityEvent?(channel: InputChannel): void;
}
