import type { ChannelEvent } from '../../network/network-api.js';

/** What travels on a channel whose producer and consumer share a slot's thread. */
/** `timestamps[i]`: event timestamp of record i (NaN: none); absent when no record of the batch has one. */
/** `keyGroups[i]`: key group of record i as the producer routed it (-1: unknown); present on keyed edges only. */
export type InThreadItem =
  | { readonly records: unknown[]; readonly timestamps?: readonly number[] | undefined; readonly keyGroups?: readonly number[] | undefined }
  | { readonly event: ChannelEvent };

/** The consumer's end: one channel of a ThreadInputGate. */
export interface InThreadReader {
  deliver(item: InThreadItem): void;
  /** The producer released the partition before its end. */
  producerGone(error: Error): void;
}

/** The producer's end: one subpartition of a ThreadResultPartition. */
export interface InThreadWriter {
  /** The reader took a batch. */
  taken(): void;
  /** The reader took end-of-partition: everything was delivered. */
  consumed(): void;
  /** The reader went away before the end. */
  readerGone(error: Error): void;
}

/**
 * One channel between two tasks of the same slot: batches pass as arrays,
 * never serialized (the producer checked every record would serialize, so
 * an unserializable record fails the same way as across the network).
 * Either end may arrive first; what the producer sends before the reader
 * attached waits here, in order.
 */
export class InThreadChannel {
  private reader: InThreadReader | undefined;
  private writer: InThreadWriter | undefined;
  private readonly early: InThreadItem[] = [];
  private closedBecause: Error | undefined;

  attachReader(reader: InThreadReader): void {
    this.reader = reader;
    for (const item of this.early.splice(0)) reader.deliver(item);
    if (this.closedBecause) reader.producerGone(this.closedBecause);
  }

  attachWriter(writer: InThreadWriter): void {
    this.writer = writer;
  }

  send(item: InThreadItem): void {
    if (this.reader) this.reader.deliver(item);
    else this.early.push(item);
  }

  taken(): void {
    this.writer?.taken();
  }

  consumed(): void {
    this.writer?.consumed();
  }

  readerGone(error: Error): void {
    this.reader = undefined;
    this.early.length = 0;
    this.writer?.readerGone(error);
  }

  producerGone(error: Error): void {
    this.closedBecause = error;
    this.early.length = 0;
    this.reader?.producerGone(error);
  }
}

/** The slot's channels between its own tasks, found by partition and subpartition. */
export class InThreadChannels {
  private readonly channels = new Map<string, InThreadChannel>();

  channel(partitionId: string, subpartition: number): InThreadChannel {
    const key = `${partitionId}#${subpartition}`;
    let channel = this.channels.get(key);
    if (!channel) {
      channel = new InThreadChannel();
      this.channels.set(key, channel);
    }
    return channel;
  }

  forget(partitionId: string, subpartition: number): void {
    this.channels.delete(`${partitionId}#${subpartition}`);
  }
}
