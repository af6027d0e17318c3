import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { packPlainData } from '../../../src/slot/state/plain-data-packer.js';
import { SNAPSHOT_PACKR_OPTIONS } from '../../../src/slot/state/snapshot-codec.js';

const packr = new Packr(SNAPSHOT_PACKR_OPTIONS);

/** The packer's bytes must be msgpackr's, byte for byte, and decode to the same value. */
function assertSameBytes(value: unknown, what: string): void {
  const ours = packPlainData(value);
  assert.ok(ours !== undefined, `${what}: the packer declined plain data`);
  const theirs = packr.pack(value);
  assert.deepEqual(Buffer.from(ours).toString('hex'), Buffer.from(theirs).toString('hex'), what);
  assert.deepEqual(packr.unpack(ours), packr.unpack(theirs), `${what}: decoded`);
}

const NUMBERS = [
  0, 1, 31, 32, 63, 64, 127, 128, 255, 256, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1,
  -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53),
  0.5, -0.25, Math.PI, 1e300, -0, NaN, Infinity, -Infinity,
];

const STRINGS = [
  '', 'a', 'x'.repeat(31), 'x'.repeat(32), 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(84), 'x'.repeat(255), 'x'.repeat(256),
  'x'.repeat(70_000), 'é', 'é'.repeat(20), 'é'.repeat(40), 'é'.repeat(100), 'é'.repeat(200), '€'.repeat(30), '€'.repeat(90),
  '😀', '😀'.repeat(20), '😀'.repeat(40), 'lone \ud800 high', 'lone \udc00 low', `${'\ud800'}${'x'.repeat(70)}`,
  Buffer.from('42:'.padEnd(84, '.')).toString('latin1'), String.fromCharCode(...Array.from({ length: 200 }, (_, i) => i + 40)),
];

test('numbers, strings, booleans, null and undefined pack as msgpackr packs them', () => {
  for (const n of NUMBERS) assertSameBytes(n, `number ${String(n)}`);
  for (const s of STRINGS) assertSameBytes(s, `string of ${s.length} characters`);
  for (const v of [true, false, null, undefined]) assertSameBytes(v, String(v));
});

test('arrays, Maps and records of every size class pack as msgpackr packs them', () => {
  for (const n of [0, 1, 15, 16, 65535, 65536]) {
    assertSameBytes(Array.from({ length: n }, (_, i) => i % 7), `array of ${n}`);
    assertSameBytes(new Map(Array.from({ length: n }, (_, i) => [i, `v${i % 5}`])), `Map of ${n}`);
  }
  assertSameBytes({}, 'empty object');
  assertSameBytes([{}, {}, { a: 1 }, {}], 'empty objects among others');
  assertSameBytes({ count: 3, text: 'abc' }, 'one record');
  assertSameBytes(Array.from({ length: 1000 }, (_, i) => ({ count: i, text: `t${i}` })), 'records of one shape');
  assertSameBytes(Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? { a: i } : i % 3 === 1 ? { a: i, b: [i] } : { b: i, a: i })), 'three shapes interleaved');
  assertSameBytes(Array.from({ length: 50 }, (_, i) => ({ v: { count: i, text: `t${i}`, inner: { x: i } }, t: 1_700_000_000_000 + i })), 'nested records (TTL-wrapped)');
  assertSameBytes({ 2: 'b', 1: 'a', z: 0, y: 1 }, 'integer-like keys first');
  assertSameBytes(new Map<unknown, unknown>([['k', new Map([[1, { a: [1, 2, { b: null }] }]])], [7, [undefined, true]]]), 'maps of maps');
  const keyShapes = Array.from({ length: 64 }, (_, i) => ({ [`k${i}`]: i }));
  assertSameBytes(keyShapes, 'exactly 64 shapes');
});

test('the packer restarts its record ids for every encoding', () => {
  for (let round = 0; round < 3; round++) {
    assertSameBytes({ format: 'f', states: [{ name: 'v', plain: new Map([[1, { count: round, text: 'x' }]]) }] }, `round ${round}`);
    assertSameBytes([{ other: round }, { count: 1, text: 'y' }], `round ${round}, other shapes first`);
  }
});

test('values that are not plain data are declined (the codec uses msgpackr for them)', () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const declined: [string, unknown][] = [
    ['bigint', 12n],
    ['Date', new Date(0)],
    ['Set', new Set([1])],
    ['typed array', new Uint8Array(2)],
    ['class instance', new Point(1)],
    ['null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['65 shapes (msgpackr recycles record ids there)', Array.from({ length: 65 }, (_, i) => ({ [`k${i}`]: i }))],
    ['deep inside', new Map([[1, [{ a: { b: [new Date(1)] } }]]])],
  ];
  for (const [what, value] of declined) assert.equal(packPlainData(value), undefined, what);
  // After declining, the next encoding is complete and right.
  assertSameBytes({ after: [1, 2, 3] }, 'after a declined value');
});

test('earlier outputs are never overwritten, also when an encoding outgrows its buffer', () => {
  const small = packPlainData({ a: 'first' })!;
  const copy = Buffer.from(small);
  const big = Array.from({ length: 40_000 }, (_, i) => ({ count: i, text: 'y'.repeat(100) }));
  const bigBytes = packPlainData(big)!;
  assert.deepEqual(Buffer.from(bigBytes), Buffer.from(packr.pack(big)));
  const after = packPlainData({ a: 'after' }, 10)!;
  assert.deepEqual(Buffer.from(small), copy);
  assert.deepEqual(packr.unpack(after), { a: 'after' });
  assert.deepEqual(packr.unpack(bigBytes), big);
});
