import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur3Bytes, murmur3Utf8 } from '../../src/keygroups/index.js';

// Reference values of MurmurHash3_x86_32 (Appleby's smhasher), seed 0 unless given.
const VECTORS: readonly (readonly [string, number, number])[] = [
  ['', 0, 0x00000000],
  ['', 1, 0x514e28b7],
  ['hello', 0, 0x248bfa47],
  ['Hello, world!', 1234, 0xfaf6cdb3],
  ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
];

test('murmur3 matches the reference implementation', () => {
  for (const [input, seed, expected] of VECTORS) {
    assert.equal(
      murmur3Bytes(Buffer.from(input, 'utf8'), seed),
      expected,
      `bytes of ${JSON.stringify(input)}`,
    );
    assert.equal(murmur3Utf8(input, seed), expected, `string ${JSON.stringify(input)}`);
  }
});

test('murmur3Bytes hashes only the first `length` bytes', () => {
  const bytes = Buffer.from('hello world', 'utf8');
  assert.equal(murmur3Bytes(bytes, 0, 5), murmur3Utf8('hello'));
});

test('murmur3Utf8 equals murmur3 of the UTF-8 bytes for every kind of code unit', () => {
  let state = 0x9e3779b9;
  const next = (bound: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % bound;
  };
  const pieces = ['a', 'Z', '~', 'é', 'ß', 'ء', '日', '￿', '😀', '\ud800', '\udfff', '\u0000'];
  for (let t = 0; t < 20_000; t++) {
    let s = '';
    const length = next(24);
    for (let i = 0; i < length; i++) {
      s += next(3) === 0 ? pieces[next(pieces.length)]! : String.fromCharCode(next(0x10000));
    }
    const seed = t % 2 === 0 ? 0 : next(0xffffffff);
    assert.equal(
      murmur3Utf8(s, seed),
      murmur3Bytes(Buffer.from(s, 'utf8'), seed),
      JSON.stringify(s),
    );
  }
});

test('a lone surrogate hashes as U+FFFD, like Buffer.from and TextEncoder', () => {
  assert.equal(murmur3Utf8('x\ud800y'), murmur3Utf8('x\ufffdy'));
  assert.equal(murmur3Utf8('\udc00'), murmur3Bytes(new TextEncoder().encode('\udc00')));
});
