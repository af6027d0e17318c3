import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { InputStatus, ReaderOutput, SourceReader, SourceReaderContext } from '@rivulet/api';
import { connectConnector, jetStreamManagerFor, streamInfo } from '../connection/connect.js';
import { NatsConnectorError, reason, type ConnectorLocation } from '../connection/nats-connector-error.js';
import { NatsDeserializers, type NatsDeserializer } from './nats-deserializer.js';
import type { NatsSourceOptions } from './nats-source-options.js';
import type { NatsSplit } from './nats-split.js';
import { SplitReading } from './split-reading.js';

/** Records emitted per pollNext call at most: the task checks barriers and timers between calls. */
const MAX_RECORDS_PER_POLL = 500;

/**
 * Reads the splits assigned to one subtask of a NatsSource: one ordered
 * consumer per split (SplitReading), one connection per reader. Each split
 * has its own output (per-split watermarks); a record's timestamp is the
 * time the stream stored its message (the WatermarkStrategy's timestamp
 * assigner, when it has one, decides instead).
 *
 * Invariants: a split's position advances only as its records are emitted,
 * so `snapshotState` never covers a message not yet emitted; a split whose
 * consumer failed fails the reader at the next pollNext with an error naming
 * the split; END_OF_INPUT only in bounded mode, once no more splits will come
 * and every split ended.
 */
export class NatsSourceReader<T> implements SourceReader<T, NatsSplit> {
  private readonly readings = new Map<string, SplitReading>();
  private readonly pendingStarts: SplitReading[] = [];
  private readonly deserialize: NatsDeserializer<T>;
  private readonly highWater: number;
  private connection: NatsConnection | undefined;
  private client: JetStreamClient | undefined;
  private manager: JetStreamManager | undefined;
  private noMoreSplits = false;
  private wakeUp: (() => void) | undefined;
  private startFailure: Error | undefined;
  private nextToPoll = 0;

  constructor(
    private readonly context: SourceReaderContext,
    private readonly options: NatsSourceOptions<T>,
    private readonly where: ConnectorLocation,
  ) {
    this.deserialize = options.deserializer ?? (NatsDeserializers.json<T>() as NatsDeserializer<T>);
    this.highWater = options.fetchBatchSize ?? 512;
  }

  async start(): Promise<void> {
    this.connection = await connectConnector(this.where, this.options);
    this.manager = await jetStreamManagerFor(this.where, this.connection);
    await streamInfo(this.where, this.manager, this.options.stream);
    this.client = jetstream(this.connection);
    for (const reading of this.pendingStarts.splice(0)) this.startReading(reading);
  }

  addSplits(splits: NatsSplit[]): void {
    for (const split of splits) {
      const reading = new SplitReading(split, this.highWater, () => this.signal());
      this.readings.set(split.splitId, reading);
      if (this.client === undefined) this.pendingStarts.push(reading);
      else this.startReading(reading);
    }
    this.signal();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.signal();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (this.startFailure !== undefined) throw this.startFailure;
    const readings = [...this.readings.values()];
    let emitted = 0;
    for (let turn = 0; turn < readings.length && emitted < MAX_RECORDS_PER_POLL; turn += 1) {
      const reading = readings[(this.nextToPoll + turn) % readings.length]!;
      if (reading.failure !== undefined) {
        throw new NatsConnectorError(this.where, `reading split "${reading.splitId}" failed (${reason(reading.failure)})`, { cause: reading.failure });
      }
      const splitOutput = output.createOutputForSplit(reading.splitId);
      for (const message of reading.take(MAX_RECORDS_PER_POLL - emitted)) {
        const timestampMs = Math.floor(message.info.timestampNanos / 1e6);
        let record: T;
        try {
          record = this.deserialize({ subject: message.subject, data: message.data, sequence: message.seq, timestampMs, headers: message.headers });
        } catch (err) {
          throw new NatsConnectorError(this.where, `cannot deserialize message ${message.seq} of "${message.subject}" (${reason(err)})`, { cause: err });
        }
        splitOutput.collect(record, timestampMs);
        emitted += 1;
      }
      if (reading.finished) {
        output.releaseOutputForSplit(reading.splitId);
        this.readings.delete(reading.splitId);
        void reading.close();
      }
    }
    this.nextToPoll += 1;
    if ([...this.readings.values()].some((reading) => reading.buffered > 0 || reading.finished || reading.failure !== undefined)) return 'MORE_AVAILABLE';
    if (this.noMoreSplits && this.readings.size === 0 && this.options.bounded === true) return 'END_OF_INPUT';
    return emitted > 0 ? 'MORE_AVAILABLE' : 'NOTHING_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    if (this.hasWork()) return Promise.resolve();
    return new Promise((resolve) => {
      this.wakeUp = resolve;
    });
  }

  snapshotState(): NatsSplit[] {
    return [...this.readings.values()].filter((reading) => !reading.finished).map((reading) => reading.snapshot());
  }

  async close(): Promise<void> {
    await Promise.all([...this.readings.values()].map((reading) => reading.close()));
    this.readings.clear();
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch(() => undefined);
    this.signal();
  }

  private hasWork(): boolean {
    if (this.startFailure !== undefined) return true;
    if (this.noMoreSplits && this.readings.size === 0 && this.options.bounded === true) return true;
    for (const reading of this.readings.values()) if (reading.buffered > 0 || reading.finished || reading.failure !== undefined) return true;
    return false;
  }

  private signal(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  private startReading(reading: SplitReading): void {
    const { filterSubject } = reading.split;
    reading
      .start(this.client!, this.options.stream, async () => {
        try {
          // STREAM.MSG.GET answers next_by_subj on 2.9 servers; the client's type only lists it for direct gets.
          const request = { seq: reading.split.nextSequence, next_by_subj: filterSubject } as unknown as { seq: number };
          const first = await this.manager!.streams.getMessage(this.options.stream, request);
          return first !== null && first.seq <= (reading.split.stopSequence ?? Number.MAX_SAFE_INTEGER);
        } catch {
          return false; // no message of the filter from there on
        }
      })
      .catch((err: unknown) => {
        this.startFailure = new NatsConnectorError(this.where, `cannot start reading split "${reading.splitId}" at sequence ${reading.split.nextSequence} (${reason(err)})`, { cause: err });
        this.signal();
      });
  }
}
