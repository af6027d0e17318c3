import type { NatsSinkOptions } from './nats-sink-options.js';
import { NatsSerializers, type NatsSerializer } from './nats-serializer.js';
import type { SinkTarget } from './sink-target.js';

/** A record turned into what is published: its subject (checked against the stream) and its payload. */
export interface EncodedRecord {
  readonly subject: string;
  readonly payload: Uint8Array;
}

/**
 * Encodes the records of a NatsSink's writer. A fixed subject is checked
 * once (at start); a subject per record is checked the first time it is
 * seen, so a record for a subject outside the stream fails the writer with
 * a NatsConnectorError naming it.
 */
export class RecordEncoder<T> {
  private readonly serialize: NatsSerializer<T>;
  private readonly checkedSubjects = new Set<string>();

  constructor(
    private readonly options: NatsSinkOptions<T>,
    private readonly target: SinkTarget,
  ) {
    this.serialize = options.serializer ?? NatsSerializers.json<T>();
    if (typeof options.subject === 'string') this.checkedSubjects.add(options.subject);
  }

  encode(record: T): EncodedRecord {
    const subject = typeof this.options.subject === 'string' ? this.options.subject : this.options.subject(record);
    if (!this.checkedSubjects.has(subject)) {
      this.target.checkSubject(subject); // throws a NatsConnectorError
      this.checkedSubjects.add(subject);
    }
    return { subject, payload: this.serialize(record) };
  }
}
