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
export function serializeBatch(records: readonly unknown[], context: SerializationContext): Buffer {
  strict = true;
  try {
    return packr.pack(records, RESERVE_START_SPACE | HEADER_BYTES);
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

/** Decodes a BUFFER payload; throws on bytes that are not a serialized batch. */
export function deserializeBatch(payload: Buffer): unknown[] {
  const records: unknown = unpackr.unpack(payload);
  if (!Array.isArray(records)) throw new Error(`buffer payload decoded to ${typeof records}, not a batch of records`);
  return records;
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
