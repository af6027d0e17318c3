import { RivuletError } from '@rivulet/common/task-runtime';

/**
 * Errors of the network stack. Every message names where it happened: the
 * peer's address for connection errors, the partition (and its owner) for
 * partition and serialization errors.
 */

/** A data connection failed: refused, reset, closed, or the peer broke the protocol. */
export class DataConnectionError extends RivuletError {
  override readonly name: string = 'DataConnectionError';
  /** `host:port` of the other end. */
  readonly peer: string;
  constructor(peer: string, message: string, options?: { cause?: unknown }) {
    super('UNREACHABLE', message, options);
    this.peer = peer;
  }
}

/** The peer sent bytes that are not a valid frame, or a frame not allowed here. */
export class ProtocolError extends DataConnectionError {
  override readonly name = 'ProtocolError';
}

export type PartitionRequestFailure = 'timeout' | 'released' | 'already-consumed' | 'no-such-subpartition';

/** A consumer's request for a subpartition cannot be served. */
export class PartitionRequestError extends RivuletError {
  override readonly name = 'PartitionRequestError';
  readonly partitionId: string;
  readonly subpartitionIndex: number;
  readonly reason: PartitionRequestFailure;
  constructor(partitionId: string, subpartitionIndex: number, reason: PartitionRequestFailure, message: string) {
    super('NOT_FOUND', message);
    this.partitionId = partitionId;
    this.subpartitionIndex = subpartitionIndex;
    this.reason = reason;
  }
}

/** The producer's side failed a channel (sent ERROR): the message is the producer's. */
export class RemoteChannelError extends RivuletError {
  override readonly name = 'RemoteChannelError';
  readonly peer: string;
  readonly partitionId: string;
  readonly subpartitionIndex: number;
  constructor(peer: string, partitionId: string, subpartitionIndex: number, remoteMessage: string) {
    super('CLUSTER', `producer at ${peer} failed the channel of partition ${partitionId} subpartition ${subpartitionIndex}: ${remoteMessage}`);
    this.peer = peer;
    this.partitionId = partitionId;
    this.subpartitionIndex = subpartitionIndex;
  }
}

/** A partition (or one of its subpartitions) was released; its data is gone. */
export class PartitionReleasedError extends RivuletError {
  override readonly name = 'PartitionReleasedError';
  readonly partitionId: string;
  constructor(partitionId: string, message: string, options?: { cause?: unknown }) {
    super('CLUSTER', message, options);
    this.partitionId = partitionId;
  }
}

/** Defined with the record copier, which throws it too (records/errors.ts). */
export { UnserializableRecordError } from '../records/errors.js';
