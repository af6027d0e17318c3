import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeKey,
  InvalidMaxParallelismError,
  keyGroupAssigner,
  keyGroupOf,
  keyHash,
  KeyTypeError,
  murmur3Bytes,
  UPPER_BOUND_MAX_PARALLELISM,
} from '../../src/keygroups/index.js';

// Pinned once: a change here changes the key group of every key in every
// existing checkpoint. [key, keyHash, group at 128, group at 32768, encoding]
const PINNED: readonly (readonly [unknown, number, number, number, string])[] = [
  ['', 0, 0, 0, ''],
  ['a', 1009084850, 50, 27058, '61'],
  ['user-42', 3111312080, 80, 23248, '757365722d3432'],
  ['Grüße', 1791607040, 0, 16640, '4772c3bcc39f65'],
  ['日本語', 2779017879, 23, 29335, 'e697a5e69cace8aa9e'],
  ['😀', 3199479546, 122, 12026, 'f09f9880'],
  [0, 3468965017, 25, 13465, '020000000000000000'],
  [-1, 2124068350, 126, 13822, '02ffffffffffffffff'],
  [42, 4188561678, 14, 24846, '022a00000000000000'],
  [1.5, 1386113683, 19, 27283, '03000000000000f83f'],
  [2 ** 53, 4139695317, 85, 15573, '030000000000004043'],
  [Infinity, 461228991, 63, 19391, '03000000000000f07f'],
  [true, 1405797717, 85, 17749, '05'],
  [false, 962700458, 42, 9386, '04'],
  [0n, 4057763860, 20, 4116, '060000000000'],
  [-7n, 4119338608, 112, 7792, '06010100000007'],
  [12345678901234567890n, 1313806786, 66, 6594, '060008000000d20a1feb8ca954ab'],
  [['user-42', 7], 3778147348, 20, 29716, '07020000000107000000757365722d3432020700000000000000'],
  [
    ['a', ['b', 1n], false],
    1950496099,
    99,
    13667,
    '070300000001010000006107020000000101000000620600010000000104',
  ],
  [[], 3491781054, 62, 22974, '0700000000'],
];

test('pinned keys keep their hash, key group and encoding', () => {
  for (const [key, hash, at128, at32768, hex] of PINNED) {
    const label = JSON.stringify(key, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    assert.equal(Buffer.from(encodeKey(key)).toString('hex'), hex, `encoding of ${label}`);
    assert.equal(keyHash(key), hash, `hash of ${label}`);
    assert.equal(keyGroupOf(key, 128), at128, `group of ${label} at 128`);
    assert.equal(keyGroupOf(key, 32768), at32768, `group of ${label} at 32768`);
  }
});

test('fast paths hash exactly the canonical bytes', () => {
  const keys: unknown[] = [
    '',
    'abc',
    'abcd',
    'abcde',
    'é',
    'a😀b',
    'x\ud800',
    0,
    -0,
    1,
    -1,
    // the int32 fast path and its edges
    123456,
    -123456,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32 - 1,
    2 ** 32,
    -(2 ** 32),
    2 ** 53 - 1,
    -(2 ** 53 - 1),
    2 ** 53,
    0.1,
    -1e300,
    Number.MIN_VALUE,
    -Infinity,
    true,
    false,
  ];
  for (const key of keys) assert.equal(keyHash(key), murmur3Bytes(encodeKey(key)), String(key));
  for (let i = -5000; i < 5000; i++) {
    const key = i * 429_497; // spread over the whole int32 range
    assert.equal(keyHash(key), murmur3Bytes(encodeKey(key)), String(key));
  }
});

test('value-equal keys encode identically: -0 and 0, 1 and 1.0', () => {
  assert.equal(keyHash(-0), keyHash(0));
  assert.equal(keyHash([-0, 'a']), keyHash([0, 'a']));
  assert.equal(keyHash(1.0), keyHash(1));
  assert.notEqual(keyHash(1), keyHash(1n), 'number and bigint are distinct keys');
  assert.notEqual(keyHash('1'), keyHash(1));
});

test('composite keys are ordered and unambiguous', () => {
  assert.notEqual(keyHash(['ab', 'c']), keyHash(['a', 'bc']));
  assert.notEqual(keyHash(['a', 1]), keyHash([1, 'a']));
  assert.notEqual(keyHash([['a'], 'b']), keyHash(['a', ['b']]));
  assert.equal(keyHash(['user', 3]), keyHash(['user', 3]));
});

test('every key group lies in [0, maxParallelism)', () => {
  for (const maxP of [1, 2, 7, 128, 1000, 4096, UPPER_BOUND_MAX_PARALLELISM]) {
    const assign = keyGroupAssigner(maxP);
    for (let i = 0; i < 2000; i++) {
      for (const key of [`k${i}`, i, -i * 1.25, [`k${i}`, i]]) {
        const g = keyGroupOf(key, maxP);
        assert.ok(Number.isInteger(g) && g >= 0 && g < maxP, `${String(key)} → ${g} at ${maxP}`);
        assert.equal(assign(key), g);
      }
    }
  }
});

test('key groups spread string keys evenly', () => {
  const counts = new Array<number>(128).fill(0);
  for (let i = 0; i < 128_000; i++) counts[keyGroupOf(`user-${i}`, 128)]! += 1;
  assert.ok(Math.max(...counts) < 1150 && Math.min(...counts) > 850, counts.join(','));
});

test('keys without a stable identity are rejected with KeyTypeError', () => {
  const cases: readonly (readonly [unknown, string, string])[] = [
    [undefined, 'undefined', 'key'],
    [null, 'null', 'key'],
    [{ id: 1 }, 'object', 'key'],
    [new Date(0), 'object (Date)', 'key'],
    [() => 1, 'function', 'key'],
    [Symbol('s'), 'symbol', 'key'],
    [NaN, 'number NaN', 'key'],
    [['a', [1, NaN]], 'number NaN', 'key[1][1]'],
    [['a', undefined], 'undefined', 'key[1]'],
    [new Uint8Array(2), 'object (Uint8Array)', 'key'],
  ];
  for (const [key, keyType, path] of cases) {
    assert.throws(
      () => keyGroupOf(key, 128),
      (err: unknown) => {
        assert.ok(err instanceof KeyTypeError);
        assert.equal(err.name, 'KeyTypeError');
        assert.equal(err.code, 'INVALID_KEY_TYPE');
        assert.equal(err.keyType, keyType);
        assert.equal(err.path, path);
        assert.match(
          err.message,
          new RegExp(
            `${path.replace(/[[\]]/g, '\\$&')} of type ${keyType.replace(/[()]/g, '\\$&')}`,
          ),
        );
        return true;
      },
    );
    assert.throws(() => encodeKey(key), KeyTypeError);
  }
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.throws(() => keyHash(cyclic), /nested deeper than 32 levels/);
});

test('maxParallelism must be an integer in 1..32768', () => {
  for (const bad of [0, -1, 1.5, 32769, NaN, Infinity, '128', undefined]) {
    assert.throws(
      () => keyGroupOf('k', bad as number),
      (err: unknown) => {
        assert.ok(err instanceof InvalidMaxParallelismError);
        assert.equal(err.code, 'INVALID_MAX_PARALLELISM');
        assert.match(err.message, /maxParallelism must be an integer in 1\.\.32768/);
        return true;
      },
    );
    assert.throws(() => keyGroupAssigner(bad as number), InvalidMaxParallelismError);
  }
  assert.equal(keyGroupOf('k', 1), 0);
});
