import type { Committer, CommitterInitContext, DeliveryGuarantee, Sink, SinkWriter, WriterInitContext } from '@rivulet/api';
import { serverList } from '../connection/nats-connection-options.js';
import { NatsConnectorError, type ConnectorLocation } from '../connection/nats-connector-error.js';
import { ExactlyOnceWriter } from './exactly-once-writer.js';
import type { NatsCommittable } from './nats-committable.js';
import { NatsCommitter } from './nats-committer.js';
import type { NatsSinkOptions } from './nats-sink-options.js';
import { PublishingWriter } from './publishing-writer.js';
import { RecordEncoder } from './record-encoder.js';
import { SinkTarget } from './sink-target.js';

const GUARANTEES: readonly DeliveryGuarantee[] = ['EXACTLY_ONCE', 'AT_LEAST_ONCE', 'NONE'];

/**
 * A NATS JetStream sink: `stream.sinkTo(new NatsSink({ servers, stream, subject, deliveryGuarantee }))`.
 * EXACTLY_ONCE is a two-phase commit: the writer keeps a checkpoint's
 * records, the committer publishes them once the checkpoint completed, with
 * deterministic `Nats-Msg-Id`s that the stream's duplicate window drops on a
 * re-commit. AT_LEAST_ONCE publishes as records arrive and waits for the
 * acknowledgements before each checkpoint; NONE does not wait.
 * See docs/connectors-nats.md (the duplicate-window bound on recovery).
 *
 * The constructor only checks and keeps the options; connections are
 * opened (and the stream checked) by each writer and committer.
 */
export class NatsSink<T> implements Sink<T, NatsCommittable> {
  private readonly where: ConnectorLocation;
  private readonly guarantee: DeliveryGuarantee;
  readonly createCommitter: ((context: CommitterInitContext) => Promise<Committer<NatsCommittable>>) | undefined;

  constructor(private readonly options: NatsSinkOptions<T>) {
    this.where = { connector: 'NATS sink', servers: serverList(options), stream: options.stream };
    this.guarantee = options.deliveryGuarantee ?? 'NONE';
    if (!GUARANTEES.includes(this.guarantee)) {
      throw new NatsConnectorError(this.where, `delivery guarantee "${String(this.guarantee)}" is not one of ${GUARANTEES.join(', ')}`);
    }
    if (typeof options.stream !== 'string' || options.stream === '') throw new NatsConnectorError(this.where, 'no stream given (option "stream")');
    if (typeof options.subject !== 'string' && typeof options.subject !== 'function') {
      throw new NatsConnectorError(this.where, 'no subject given (option "subject": a subject or a function of the record)');
    }
    // Only an exactly-once sink commits in two phases (Sink V2: no committer means a plain writer).
    this.createCommitter = this.guarantee === 'EXACTLY_ONCE' ? (context) => this.openCommitter(context) : undefined;
  }

  get deliveryGuarantee(): DeliveryGuarantee {
    return this.guarantee;
  }

  async createWriter(context: WriterInitContext): Promise<SinkWriter<T, NatsCommittable>> {
    const exactlyOnce = this.guarantee === 'EXACTLY_ONCE';
    const target = await SinkTarget.open(this.where, this.options, exactlyOnce);
    const encoder = new RecordEncoder(this.options, target);
    if (exactlyOnce) return new ExactlyOnceWriter(context, encoder, target);
    return new PublishingWriter(this.where, encoder, target, this.guarantee === 'AT_LEAST_ONCE', this.options.ackTimeoutMs, this.options.maxInFlight);
  }

  private async openCommitter(_context: CommitterInitContext): Promise<NatsCommitter> {
    const target = await SinkTarget.open(this.where, this.options, true);
    return new NatsCommitter(this.where, target, this.options.ackTimeoutMs, this.options.maxInFlight);
  }
}
