/**
 * How a record key becomes (key group, storage reference).
 *
 * Contract: a primitive key (string, number, boolean, bigint) is its own
 * reference — `Map` compares them by SameValueZero, the same equality the
 * key-group hash uses (`0` and `-0` are one key). A composite key (an array,
 * possibly nested) is referenced by its canonical encoding (keygroups'
 * `encodeKey`) as a latin1 string, one character per byte, so equal tuples
 * share state. The two kinds of reference live in separate maps (see
 * key-group-store.ts): a string key never collides with a tuple's encoding.
 * The key group is `keyGroupOf(key, maxParallelism)` in both cases.
 */
import { encodeKey, keyHash, murmur3Bytes } from '@rivulet/common/task-runtime';

export interface ResolvedKey {
  readonly keyGroup: number;
  /** The primitive itself, or the canonical string of a composite key. */
  readonly ref: unknown;
  readonly composite: boolean;
}

/** Resolves `key`; throws KeyTypeError for anything that is not a Key. Not the hot path. */
export function resolveKey(key: unknown, maxParallelism: number): ResolvedKey {
  if (typeof key === 'object') {
    const bytes = encodeKey(key);
    return {
      keyGroup: murmur3Bytes(bytes) % maxParallelism,
      ref: compositeRef(bytes),
      composite: true,
    };
  }
  return { keyGroup: keyHash(key) % maxParallelism, ref: key, composite: false };
}

/** The canonical string of encoded composite key bytes (latin1: one char per byte). */
export function compositeRef(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
