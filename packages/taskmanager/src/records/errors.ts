import { RivuletError } from '@rivulet/common/task-runtime';

export interface UnserializableRecordDetails {
  /** The partition the record was written to; absent when it was copied inside an operator chain. */
  readonly partitionId?: string | undefined;
  /** Who emitted it: a task (`Map (2/4)`) or, inside a chain, an operator. */
  readonly owner: string;
  readonly path: string;
  readonly valueType: string;
  /** A phrase completing "`path` is …". */
  readonly problem: string;
}

/**
 * A record cannot travel: it holds a value the serializer would drop or
 * change. Thrown with the same text by the network's serializer and by the
 * record copier (records/record-copy.ts), so a record fails the same way
 * whether its consumer is chained, in the same slot or on another TaskManager.
 */
export class UnserializableRecordError extends RivuletError {
  override readonly name = 'UnserializableRecordError';
  readonly partitionId: string | undefined;
  readonly owner: string;
  /** Where in the record, e.g. `record.handler` or `record.items[3]`. */
  readonly path: string;
  /** What it is, e.g. `function`, `symbol`, `instance of class Order`, `cycle`. */
  readonly valueType: string;
  constructor(details: UnserializableRecordDetails, options?: { cause?: unknown }) {
    const of = details.partitionId === undefined ? details.owner : `partition ${details.partitionId} (owner ${details.owner})`;
    super('CLUSTER', `cannot serialize a record of ${of}: ${details.path} is ${details.problem}`, options);
    this.partitionId = details.partitionId;
    this.owner = details.owner;
    this.path = details.path;
    this.valueType = details.valueType;
  }
}
