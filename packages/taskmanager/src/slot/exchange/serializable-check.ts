import { serializeBatch, type SerializationContext } from '../../control/network/record-serializer.js';
import { isRejectedObject } from '../../control/network/serializable-values.js';

/** Deeper than this, the check leaves the verdict to the serializer itself. */
const MAX_QUICK_DEPTH = 32;

/**
 * Throws the serializer's own UnserializableRecordError for the first record
 * of `records` that could not cross the network, so a record that stays in
 * a slot's thread fails exactly as one sent to another TaskManager would.
 * Fast path: a walk over plain data that allocates nothing; only a record it
 * cannot vouch for is handed to the serializer, which accepts it or throws.
 */
export function checkSerializable(records: readonly unknown[], context: SerializationContext): void {
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (!plainEnough(record, 0)) serializeBatch([record], context);
  }
}

function plainEnough(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return true;
    case 'object':
      break;
    default:
      return false; // function, symbol
  }
  if (value === null) return true;
  if (depth >= MAX_QUICK_DEPTH) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const key in value) {
      if (!plainEnough((value as Record<string, unknown>)[key], depth + 1)) return false;
    }
    return true;
  }
  if (proto === Array.prototype) {
    const array = value as readonly unknown[];
    for (let i = 0; i < array.length; i++) if (!plainEnough(array[i], depth + 1)) return false;
    return true;
  }
  if (proto === Map.prototype) {
    for (const [k, v] of value as Map<unknown, unknown>) if (!plainEnough(k, depth + 1) || !plainEnough(v, depth + 1)) return false;
    return true;
  }
  if (proto === Set.prototype) {
    for (const v of value as Set<unknown>) if (!plainEnough(v, depth + 1)) return false;
    return true;
  }
  if (value instanceof Error) return false; // its cause may hold anything: the serializer decides
  return !isRejectedObject(value);
}
