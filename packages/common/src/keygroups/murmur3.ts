/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's `MurmurHash3_x86_32`), the
 * hash Flink uses for key groups. Results are unsigned 32-bit integers and equal
 * the reference implementation's for the same bytes and seed.
 *
 * Invariant: `murmur3Utf8(s, seed) === murmur3Bytes(Buffer.from(s, 'utf8'), seed)`
 * for every string, including lone surrogates (encoded as U+FFFD, as
 * `Buffer.from` and `TextEncoder` do). Key groups of persisted state depend on
 * these values: changing them changes every job's key → key group mapping.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function scrambleBlock(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixBlock(h: number, k: number): number {
  h ^= scrambleBlock(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** murmur3_32 of `bytes[0, length)`. */
export function murmur3Bytes(bytes: Uint8Array, seed = 0, length = bytes.length): number {
  let h = seed | 0;
  const blocks = length & ~3;
  let i = 0;
  for (; i < blocks; i += 4) {
    h = mixBlock(
      h,
      bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24),
    );
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = bytes[i]!;
    if (tail > 1) k |= bytes[i + 1]! << 8;
    if (tail > 2) k |= bytes[i + 2]! << 16;
    h ^= scrambleBlock(k);
  }
  return finalize(h, length);
}

/**
 * murmur3_32 of the UTF-8 encoding of `s`, computed from its UTF-16 code units
 * without materialising the bytes (the hot path for string keys). ASCII runs
 * are consumed four characters per block.
 */
export function murmur3Utf8(s: string, seed = 0): number {
  let h = seed | 0;
  let k = 0; // pending little-endian block
  let filled = 0; // bytes in k
  let length = 0; // UTF-8 bytes consumed
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    let packed: number; // this code point's UTF-8 bytes, first byte lowest
    let count: number;
    if (c < 0x80) {
      if (filled === 0 && i + 3 < n) {
        const c1 = s.charCodeAt(i + 1);
        const c2 = s.charCodeAt(i + 2);
        const c3 = s.charCodeAt(i + 3);
        if ((c1 | c2 | c3) < 0x80) {
          h = mixBlock(h, c | (c1 << 8) | (c2 << 16) | (c3 << 24));
          i += 4;
          length += 4;
          continue;
        }
      }
      packed = c;
      count = 1;
      i += 1;
    } else if (c < 0x800) {
      packed = 0xc0 | (c >>> 6) | ((0x80 | (c & 0x3f)) << 8);
      count = 2;
      i += 1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        packed =
          0xf0 |
          (cp >>> 18) |
          ((0x80 | ((cp >>> 12) & 0x3f)) << 8) |
          ((0x80 | ((cp >>> 6) & 0x3f)) << 16) |
          ((0x80 | (cp & 0x3f)) << 24);
        count = 4;
        i += 2;
      } else {
        packed = 0xbdbfef; // lone surrogate → U+FFFD (EF BF BD)
        count = 3;
        i += 1;
      }
    } else {
      packed = 0xe0 | (c >>> 12) | ((0x80 | ((c >>> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
      count = 3;
      i += 1;
    }
    length += count;
    for (let j = 0; j < count; j++) {
      k |= ((packed >>> (j << 3)) & 0xff) << (filled << 3);
      if (++filled === 4) {
        h = mixBlock(h, k);
        k = 0;
        filled = 0;
      }
    }
  }
  if (filled > 0) h ^= scrambleBlock(k);
  return finalize(h, length);
}

/**
 * murmur3_32 of the 9 bytes `[tag, lo (u32 LE), hi (u32 LE)]` — the encoding of
 * a tagged 64-bit payload in key-bytes.ts — without a buffer.
 */
export function murmur3Tagged64(tag: number, lo: number, hi: number, seed = 0): number {
  let h = mixBlock(seed | 0, (tag & 0xff) | (lo << 8));
  h = mixBlock(h, (lo >>> 24) | (hi << 8));
  h ^= scrambleBlock((hi >>> 24) & 0xff);
  return finalize(h, 9);
}
