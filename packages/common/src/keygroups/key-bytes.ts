/**
 * Canonical byte encoding of record keys, and the key hash built on it.
 *
 * Contract: the encoding depends only on the key's value, never on the process,
 * the run, the platform's endianness or the order anything was created in, so
 * the same key lands in the same key group everywhere and forever. Keys equal
 * under SameValueZero (`0` and `-0`, `1` and `1.0`) encode identically.
 *
 * Encoding (all integers little-endian):
 *   top-level string   its UTF-8 bytes, untagged (so string keys hash as plain murmur3)
 *   string in a tuple  0x01, u32 byte length, UTF-8 bytes (lone surrogates as U+FFFD)
 *   safe integer       0x02, i64 (|n| ≤ 2^53 − 1; -0 is 0)
 *   other number       0x03, f64 (non-integers, integers beyond 2^53, ±Infinity); NaN is rejected
 *   false / true       0x04 / 0x05
 *   bigint             0x06, sign byte (0 = non-negative, 1 = negative), u32 length, magnitude bytes
 *   array (tuple)      0x07, u32 element count, each element tagged as above
 * Anything else — objects, null, undefined, functions, symbols, holes in arrays —
 * throws KeyTypeError. A top-level string may share bytes with some tagged key;
 * that only puts two keys in the same key group, which is harmless.
 */
import { describeType, KeyTypeError } from './errors.js';
import { murmur3Bytes, murmur3Tagged64, murmur3Utf8 } from './murmur3.js';

/** What a key may be: a primitive with a stable identity, or a tuple of keys. */
export type KeyAtom = string | number | boolean | bigint;
export type Key = KeyAtom | readonly Key[];

/** Deeper nesting (or a cyclic array) is rejected rather than overflowing the stack. */
export const MAX_KEY_NESTING = 32;

const TAG_STRING = 0x01;
const TAG_INT = 0x02;
const TAG_FLOAT = 0x03;
const TAG_FALSE = 0x04;
const TAG_TRUE = 0x05;
const TAG_BIGINT = 0x06;
const TAG_TUPLE = 0x07;
const TWO_32 = 4294967296;

const HASH_FALSE = murmur3Bytes(Uint8Array.of(TAG_FALSE));
const HASH_TRUE = murmur3Bytes(Uint8Array.of(TAG_TRUE));
const f64 = new DataView(new ArrayBuffer(8));

// One scratch buffer for the module; encoding is synchronous, so never shared mid-use.
let scratch = Buffer.allocUnsafe(256);
let pos = 0;

/** The canonical bytes of `key` (a fresh array). Throws KeyTypeError. */
export function encodeKey(key: unknown): Uint8Array {
  pos = 0;
  if (typeof key === 'string') {
    ensure(key.length * 3);
    pos = scratch.write(key, 0, 'utf8');
  } else {
    writeTagged(key, 'key', 0);
  }
  return new Uint8Array(scratch.subarray(0, pos));
}

/**
 * murmur3_32 of `encodeKey(key)`, unsigned. Strings, numbers and booleans take
 * allocation-free fast paths proven equal to hashing the encoded bytes.
 */
export function keyHash(key: unknown): number {
  switch (typeof key) {
    case 'string':
      return murmur3Utf8(key);
    case 'number':
      // An int32 (the common key: a small integer, 0 and -0 alike): its i64 is (key, sign), no division.
      if ((key | 0) === key) return murmur3Tagged64(TAG_INT, key, key >> 31);
      if (Number.isSafeInteger(key)) {
        const hi = Math.floor(key / TWO_32);
        return murmur3Tagged64(TAG_INT, key - hi * TWO_32, hi);
      }
      if (Number.isNaN(key)) throw new KeyTypeError('number NaN');
      f64.setFloat64(0, key, true);
      return murmur3Tagged64(TAG_FLOAT, f64.getUint32(0, true), f64.getUint32(4, true));
    case 'boolean':
      return key ? HASH_TRUE : HASH_FALSE;
    default:
      pos = 0;
      writeTagged(key, 'key', 0);
      return murmur3Bytes(scratch, 0, pos);
  }
}

function writeTagged(value: unknown, path: string, depth: number): void {
  switch (typeof value) {
    case 'string': {
      ensure(5 + value.length * 3);
      scratch[pos] = TAG_STRING;
      const written = scratch.write(value, pos + 5, 'utf8');
      scratch.writeUInt32LE(written, pos + 1);
      pos += 5 + written;
      return;
    }
    case 'number':
      return writeNumber(value, path);
    case 'boolean':
      ensure(1);
      scratch[pos++] = value ? TAG_TRUE : TAG_FALSE;
      return;
    case 'bigint':
      return writeBigint(value);
    default:
      if (!Array.isArray(value)) throw new KeyTypeError(describeType(value), path);
      if (depth >= MAX_KEY_NESTING) {
        throw new KeyTypeError(`array nested deeper than ${MAX_KEY_NESTING} levels`, path);
      }
      ensure(5);
      scratch[pos] = TAG_TUPLE;
      scratch.writeUInt32LE(value.length, pos + 1);
      pos += 5;
      for (let i = 0; i < value.length; i++) {
        writeTagged(value[i], `${path}[${i}]`, depth + 1);
      }
  }
}

function writeNumber(value: number, path: string): void {
  ensure(9);
  if (Number.isSafeInteger(value)) {
    const hi = Math.floor(value / TWO_32);
    scratch[pos] = TAG_INT;
    scratch.writeUInt32LE(value - hi * TWO_32, pos + 1);
    scratch.writeInt32LE(hi, pos + 5);
  } else {
    if (Number.isNaN(value)) throw new KeyTypeError('number NaN', path);
    scratch[pos] = TAG_FLOAT;
    scratch.writeDoubleLE(value, pos + 1);
  }
  pos += 9;
}

function writeBigint(value: bigint): void {
  let magnitude = value < 0n ? -value : value;
  const bytes: number[] = [];
  while (magnitude > 0n) {
    bytes.push(Number(magnitude & 0xffn));
    magnitude >>= 8n;
  }
  ensure(6 + bytes.length);
  scratch[pos] = TAG_BIGINT;
  scratch[pos + 1] = value < 0n ? 1 : 0;
  scratch.writeUInt32LE(bytes.length, pos + 2);
  pos += 6;
  for (const b of bytes) scratch[pos++] = b;
}

function ensure(extra: number): void {
  if (pos + extra <= scratch.length) return;
  const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, pos + extra));
  scratch.copy(grown, 0, 0, pos);
  scratch = grown;
}
