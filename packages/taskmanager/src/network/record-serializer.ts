import { addExtension, Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';
import { UnserializableRecordError } from './errors.js';
import { HEADER_BYTES } from './frames.js';
import { findOffence, isRejectedObject } from './serializable-values.js';

/**
 * Serialization of record batches: one msgpackr call per batch (`useRecords`
 * stores each object shape once per batch; `moreTypes` keeps Set, Error,
 * RegExp, typed arrays and big BigInts). Every batch is self-contained: no
 * structures are shared between batches, so buffers decode in any order and
 * a reconnect needs no state.
 *
 * Invariant: a record that msgpackr would silently change (see
 * serializable-values.ts) makes `serializeBatch` throw; nothing is sent in
 * its place. The check costs plain records nothing: msgpackr consults the
 * hook below only for objects that are not plain objects, arrays or Maps, and
 * for functions; the slow search for the culprit runs only after a failure.
 */

const MSGPACK_OPTIONS = { useRecords: true, moreTypes: true } as const;

/** Thrown inside msgpackr by the hook; replaced by a descriptive error. */
const REJECTED = new Error('value rejected by the Rivulet record serializer');

/** The hook applies only while this module is packing, so other msgpackr users in the process are unaffected. */
let strict = false;

/** msgpackr asks `value instanceof Class` of every extension; this "class" matches the values we refuse. */
class RejectedValue {
  static [Symbol.hasInstance](value: unknown): boolean {
    return strict && typeof value === 'object' && value !== null && isRejectedObject(value);
  }
}
addExtension({
  Class: RejectedValue,
  write: () => {
    throw REJECTED;
  },
} as unknown as Parameters<typeof addExtension>[0]);

const packr = new Packr(MSGPACK_OPTIONS);
(packr as unknown as { writeFunction: () => never }).writeFunction = () => {
  throw REJECTED;
};
const unpackr = new Unpackr(MSGPACK_OPTIONS);

/**
 * First payload byte of a batch whose records carry event timestamps: 0xc1
 * is never used by MessagePack, so it cannot start a plain batch. Such a
 * payload is the marker followed by `[records, Float64Array of timestamps]`
 * (NaN: that record has none). A batch without timestamps keeps the plain
 * encoding (an array of records), so event time costs nothing when unused.
 */
export const TIMESTAMPED_BATCH_MARKER = 0xc1;

/** A decoded batch; `timestamps[i]` is record i's event timestamp (NaN: none), absent when no record has one. */
export interface DecodedBatch {
  readonly records: unknown[];
  readonly timestamps: Float64Array | undefined;
}

export interface SerializationContext {
  readonly partitionId: string;
  readonly owner: string;
}

/**
 * Packs `records` into a buffer whose first HEADER_BYTES bytes are reserved
 * for the frame header (filled by the sender), so a batch goes out in one
 * write without a copy. Throws UnserializableRecordError naming the partition,
 * the owner, the path and the type of the offending value.
 */
export function serializeBatch(records: readonly unknown[], context: SerializationContext, timestamps?: ArrayLike<number>): Buffer {
  if (timestamps !== undefined && timestamps.length !== records.length) {
    throw new RangeError(`a batch of ${records.length} records with ${timestamps.length} timestamps (partition ${context.partitionId})`);
  }
  strict = true;
  try {
    if (timestamps === undefined) return packr.pack(records, RESERVE_START_SPACE | HEADER_BYTES);
    const stamped = packr.pack([records, Float64Array.from(timestamps)], RESERVE_START_SPACE | (HEADER_BYTES + 1));
    stamped[HEADER_BYTES] = TIMESTAMPED_BATCH_MARKER;
    return stamped;
  } catch (error) {
    throw describeFailure(records, context, error);
  } finally {
    strict = false;
  }
}

/** Size of the batch payload (without the reserved header). */
export function payloadBytes(serialized: Buffer): number {
  return serialized.length - HEADER_BYTES;
}

/** Decodes the records of a BUFFER payload (dropping timestamps, if any); throws on bytes that are not a serialized batch. */
export function deserializeBatch(payload: Buffer): unknown[] {
  return decodeBatch(payload).records;
}

/** A gate entry for a decoded batch: `timestamps` only when the batch has them. */
export function batchEntry(channel: number, batch: DecodedBatch): { channel: number; records: unknown[]; timestamps?: Float64Array } {
  return batch.timestamps === undefined ? { channel, records: batch.records } : { channel, records: batch.records, timestamps: batch.timestamps };
}

/** Decodes a BUFFER payload with its records' timestamps; throws on bytes that are not a serialized batch. */
export function decodeBatch(payload: Buffer): DecodedBatch {
  if (payload[0] !== TIMESTAMPED_BATCH_MARKER) {
    const records: unknown = unpackr.unpack(payload);
    if (!Array.isArray(records)) throw new Error(`buffer payload decoded to ${typeof records}, not a batch of records`);
    return { records, timestamps: undefined };
  }
  const decoded: unknown = unpackr.unpack(payload.subarray(1));
  if (!Array.isArray(decoded) || decoded.length !== 2 || !Array.isArray(decoded[0]) || !(decoded[1] instanceof Float64Array) || decoded[1].length !== decoded[0].length) {
    throw new Error('buffer payload is marked as timestamped but is not [records, timestamps] of equal length');
  }
  return { records: decoded[0] as unknown[], timestamps: decoded[1] };
}

function describeFailure(records: readonly unknown[], context: SerializationContext, error: unknown): Error {
  for (const record of records) {
    const offence = findOffence(record, 'record');
    if (offence) return new UnserializableRecordError({ ...context, ...offence }, { cause: error === REJECTED ? undefined : error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const problem =
    error instanceof RangeError && /call stack/i.test(message)
      ? 'nested too deeply to serialize'
      : `not serializable (${message})`;
  return new UnserializableRecordError({ ...context, path: 'record', valueType: 'unknown', problem }, { cause: error });
}

/**
 * The codec of BUFFER payloads, for tools that measure the network stack
 * against a raw ceiling with the very same serialization (bench/lib/raw-ceiling.ts).
 * `reserveBytes` leaves room at the start for a caller's own header.
 */
export const recordBatchCodec = {
  encode(records: readonly unknown[], reserveBytes = 0): Buffer {
    return reserveBytes > 0 ? packr.pack(records, RESERVE_START_SPACE | reserveBytes) : packr.pack(records);
  },
  decode: deserializeBatch,
} as const;
