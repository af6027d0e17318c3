/**
 * A point-in-time snapshot of some key groups whose bytes are produced later.
 *
 * Taking it is cheap (O(key groups + states), no values are touched): the
 * backend keeps the snapshot's view intact by recording a key's entry the
 * first time it is written while a snapshot holds its group (copy-on-write
 * per entry, key-group-store.ts). `encode` serializes one group at a time,
 * so the caller can spread the work over many event-loop turns and stream
 * the bytes into an upload.
 *
 * Contract:
 *  - `encode(g)` returns the bytes the group had when the snapshot was taken,
 *    whatever happened to the backend since; it may be called once per group
 *    and releases that group's hold. The bytes may share their ArrayBuffer
 *    with other encodings (no copy on the checkpoint path): read or copy
 *    them, do not transfer or mutate them;
 *  - `release()` drops every hold not released yet (call it when giving up,
 *    e.g. after a failed upload); encoding afterwards throws;
 *  - holding a snapshot costs the backend one extra check per write, and,
 *    per key written (or object read) before its group is encoded, one
 *    recorded entry and a deep copy of an object value.
 */
export interface KeyGroupSnapshot {
  /** The groups in the snapshot, ascending. */
  readonly keyGroups: readonly number[];
  encode(keyGroup: number): Uint8Array;
  release(): void;
}

/** A snapshot of no groups. */
export const EMPTY_KEY_GROUP_SNAPSHOT: KeyGroupSnapshot = Object.freeze({
  keyGroups: Object.freeze([]) as readonly number[],
  encode(keyGroup: number): Uint8Array {
    throw new RangeError(`key group ${keyGroup} is not in this snapshot`);
  },
  release(): void {},
});

/** Builds a snapshot from per-group encoders; each encoder runs at most once. */
export function keyGroupSnapshotOf(
  encoders: ReadonlyMap<number, () => Uint8Array>,
  onRelease: (keyGroup: number) => void = () => {},
): KeyGroupSnapshot {
  const pending = new Map(encoders);
  const keyGroups = Object.freeze([...encoders.keys()].sort((a, b) => a - b));
  let released = false;
  return {
    keyGroups,
    encode(keyGroup: number): Uint8Array {
      if (released) throw new Error('the snapshot was released');
      const encoder = pending.get(keyGroup);
      if (encoder === undefined) {
        throw new RangeError(
          encoders.has(keyGroup)
            ? `key group ${keyGroup} was already encoded`
            : `key group ${keyGroup} is not in this snapshot`,
        );
      }
      pending.delete(keyGroup);
      try {
        return encoder();
      } finally {
        onRelease(keyGroup);
      }
    },
    release(): void {
      if (released) return;
      released = true;
      for (const g of pending.keys()) onRelease(g);
      pending.clear();
    },
  };
}
