import { HEADER_BYTES } from '../../network/frames.js';
import { serializeBatch, type SerializationContext } from '../../network/record-serializer.js';

/** One batch of in-flight records of an input channel: a serialized batch's payload (no frame header). */
export interface RecordedBatch {
  readonly channel: number;
  readonly payload: Buffer;
}

/** What an unaligned checkpoint stored of a task's input: batches per channel, in the order they travelled. */
export interface InputChannelState {
  readonly batches: readonly RecordedBatch[];
  readonly bytes: number;
}

/**
 * The input side of one unaligned checkpoint at a gate (Flink's
 * ChannelStatePersister): from the snapshot (the first barrier taken) on,
 * every batch of a channel that has not yet delivered its barrier is
 * in-flight data of the checkpoint and is recorded (it is still processed
 * as usual). A channel stops recording when its barrier or its
 * end-of-partition arrives; `done` resolves once every channel stopped, or
 * rejects when the checkpoint is given up.
 */
export class InputChannelStateRecording {
  private readonly perChannel = new Map<number, Buffer[]>();
  private readonly recording = new Set<number>();
  private sealed = false;
  private settled = false;
  private bytes = 0;
  private resolve!: (state: InputChannelState) => void;
  private reject!: (error: Error) => void;
  readonly done: Promise<InputChannelState>;

  constructor(
    readonly checkpointId: number,
    private readonly context: SerializationContext,
  ) {
    this.done = new Promise<InputChannelState>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    void this.done.catch(() => undefined); // a given-up checkpoint may have no one waiting
  }

  /** The channel's barrier has not arrived: its batches are recorded until it does. */
  startChannel(channel: number): void {
    this.recording.add(channel);
  }

  isRecording(channel: number): boolean {
    return this.recording.has(channel);
  }

  /** The channel delivered its barrier (or ended): nothing more of it is in flight for this checkpoint. */
  finishChannel(channel: number): void {
    if (!this.recording.delete(channel)) return;
    this.settleIfDone();
  }

  /** Every channel's starting state is known: done as soon as none records. */
  seal(): void {
    this.sealed = true;
    this.settleIfDone();
  }

  /** A serialized batch's payload, after the ones recorded before it. */
  recordPayload(channel: number, payload: Buffer): void {
    this.batchesOf(channel).push(payload);
    this.bytes += payload.byteLength;
  }

  /** Records still to be processed, serialized now (later mutation cannot reach the snapshot); `first`: before everything recorded. */
  recordRecords(channel: number, records: readonly unknown[], timestamps: ArrayLike<number> | undefined, first = false): void {
    if (records.length === 0) return;
    const payload = serializeBatch(records, this.context, timestamps).subarray(HEADER_BYTES);
    if (first) this.batchesOf(channel).unshift(payload);
    else this.batchesOf(channel).push(payload);
    this.bytes += payload.byteLength;
  }

  abort(reason: string): void {
    if (this.settled) return;
    this.settled = true;
    this.recording.clear();
    this.perChannel.clear();
    this.reject(new Error(reason));
  }

  get isSettled(): boolean {
    return this.settled;
  }

  private batchesOf(channel: number): Buffer[] {
    let batches = this.perChannel.get(channel);
    if (batches === undefined) {
      batches = [];
      this.perChannel.set(channel, batches);
    }
    return batches;
  }

  private settleIfDone(): void {
    if (!this.sealed || this.settled || this.recording.size > 0) return;
    this.settled = true;
    const batches: RecordedBatch[] = [];
    for (const [channel, payloads] of [...this.perChannel].sort((a, b) => a[0] - b[0])) {
      for (const payload of payloads) batches.push({ channel, payload });
    }
    this.resolve({ batches, bytes: this.bytes });
  }
}
