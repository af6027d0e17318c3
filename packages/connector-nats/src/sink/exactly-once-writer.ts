import { randomBytes } from 'node:crypto';
import type { SinkWriter, SinkWriterContext, WriterInitContext } from '@rivulet/api';
import type { NatsCommittable } from './nats-committable.js';
import type { RecordEncoder } from './record-encoder.js';
import type { SinkTarget } from './sink-target.js';

/**
 * The writer of an exactly-once NatsSink: keeps the records of the current
 * checkpoint in memory and hands them over at `prepareCommit` as one
 * committable; nothing is published before the committer commits it.
 *
 * Message ids: `${jobId}.${subtask}.${nonce}.${n}.${i}` for the i-th record
 * of the n-th committable of this writer; the nonce (random per writer
 * instance) keeps the ids of a restarted writer distinct from those its
 * predecessor produced (a replayed record is a new message of a new
 * checkpoint, only a re-committed committable repeats its ids).
 */
export class ExactlyOnceWriter<T> implements SinkWriter<T, NatsCommittable> {
  private readonly idPrefix: string;
  private subjects: string[] = [];
  private payloads: Uint8Array[] = [];
  private committables = 0;

  constructor(
    context: WriterInitContext,
    private readonly encoder: RecordEncoder<T>,
    private readonly target: SinkTarget,
  ) {
    this.idPrefix = `${context.jobId}.${context.subtaskIndex}.${randomBytes(6).toString('hex')}`;
  }

  write(element: T, _context: SinkWriterContext): void {
    const { subject, payload } = this.encoder.encode(element);
    this.subjects.push(subject);
    this.payloads.push(payload);
  }

  flush(): void {
    // The records wait for prepareCommit; nothing is published here.
  }

  prepareCommit(): NatsCommittable[] {
    if (this.payloads.length === 0) return [];
    const committable: NatsCommittable = { version: 1, messageIdPrefix: `${this.idPrefix}.${this.committables}`, subjects: this.subjects, payloads: this.payloads };
    this.committables += 1;
    this.subjects = [];
    this.payloads = [];
    return [committable];
  }

  async close(): Promise<void> {
    await this.target.close();
  }
}
