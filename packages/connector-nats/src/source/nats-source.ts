import type { Boundedness, Source, SourceReader, SourceReaderContext, SplitEnumerator, SplitEnumeratorContext } from '@rivulet/api';
import { serverList } from '../connection/nats-connection-options.js';
import type { ConnectorLocation } from '../connection/nats-connector-error.js';
import type { NatsSourceOptions } from './nats-source-options.js';
import { NatsSourceReader } from './nats-source-reader.js';
import type { NatsSplit } from './nats-split.js';
import { NatsSplitEnumerator, type NatsEnumeratorState } from './nats-split-enumerator.js';

/**
 * A NATS JetStream source: `env.fromSource(new NatsSource({ servers, stream }), strategy, 'events')`.
 * One split per filter subject (the stream's subjects, or the `subjects`
 * option, e.g. the partitions of a subject mapping); each split's position
 * is the stream sequence of its next message, checkpointed, so a restore
 * reads exactly what the checkpoint did not cover. See docs/connectors-nats.md.
 *
 * The constructor only keeps the options (it runs wherever the job bundle
 * is loaded); connections are opened by the enumerator and the readers.
 */
export class NatsSource<T = unknown> implements Source<T, NatsSplit, NatsEnumeratorState> {
  private readonly where: ConnectorLocation;

  constructor(private readonly options: NatsSourceOptions<T>) {
    this.where = { connector: 'NATS source', servers: serverList(options), stream: options.stream };
  }

  getBoundedness(): Boundedness {
    return this.options.bounded === true ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED';
  }

  createEnumerator(context: SplitEnumeratorContext<NatsSplit>): SplitEnumerator<NatsSplit, NatsEnumeratorState> {
    return new NatsSplitEnumerator(context, this.options, this.where);
  }

  restoreEnumerator(context: SplitEnumeratorContext<NatsSplit>, checkpoint: NatsEnumeratorState): SplitEnumerator<NatsSplit, NatsEnumeratorState> {
    return new NatsSplitEnumerator(context, this.options, this.where, checkpoint);
  }

  createReader(context: SourceReaderContext): SourceReader<T, NatsSplit> {
    return new NatsSourceReader(context, this.options, this.where);
  }
}
