import { encodeEvent, FrameType, writeHeader } from './frames.js';
import type { Subpartition, SubpartitionReader } from './subpartition.js';

/** What a reader needs from the connection that carries its channel. */
export interface ReaderHost {
  /** The reader may have something to send now. */
  readerReady(reader: RemoteSubpartitionReader): void;
  /** The producer's side released the subpartition: tell the consumer why and forget the channel. */
  readerReleased(reader: RemoteSubpartitionReader, error: Error): void;
}

/**
 * The producer's end of one remote channel: reads one subpartition and turns
 * its entries into frames, spending the consumer's credit.
 *
 * Invariant: a buffer is never sent without credit. `nextFrame()` returns a
 * BUFFER only while `credit > 0` and spends one; events need no credit (they
 * are few and small) but never overtake a buffer queued before them.
 */
export class RemoteSubpartitionReader implements SubpartitionReader {
  readonly serializes = true;
  subpartition: Subpartition | undefined;
  /** True while queued in the host's round-robin of readers with something to send. */
  inReadyQueue = false;
  /** end-of-partition went out; the consumer's CLOSE now means "fully consumed". */
  sentEndOfPartition = false;

  constructor(
    readonly channel: number,
    readonly partitionId: string,
    readonly subpartitionIndex: number,
    private credit: number,
    private readonly host: ReaderHost,
  ) {}

  get availableCredit(): number {
    return this.credit;
  }

  notifyDataAvailable(): void {
    this.host.readerReady(this);
  }

  notifyReleased(error: Error): void {
    this.subpartition = undefined;
    this.host.readerReleased(this, error);
  }

  addCredit(credit: number): void {
    this.credit += credit;
    this.host.readerReady(this);
  }

  /** True when `nextFrame()` would return a frame. */
  isReady(): boolean {
    const head = this.subpartition?.peek();
    return head !== undefined && (head.kind === 'event' || this.credit > 0);
  }

  /** The next frame to write, or undefined (nothing queued, or a buffer waiting for credit). */
  nextFrame(): Buffer | undefined {
    const subpartition = this.subpartition;
    const head = subpartition?.peek();
    if (subpartition === undefined || head === undefined) return undefined;
    if (head.kind === 'event') {
      subpartition.take();
      if (head.event.kind === 'end-of-partition') this.sentEndOfPartition = true;
      return encodeEvent(this.channel, head.event);
    }
    if (this.credit === 0) return undefined;
    if (head.kind === 'records') throw new Error(`subpartition ${this.subpartitionIndex} of ${this.partitionId} queued an unserialized batch for a remote reader`);
    this.credit -= 1;
    subpartition.take();
    return writeHeader(head.bytes, FrameType.BUFFER, this.channel);
  }
}
