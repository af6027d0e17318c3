import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HEADER_BYTES } from '../../src/network/frames.js';
import { deserializeBatch, serializeBatch } from '../../src/network/record-serializer.js';
import { copyRecord, createRecordCopier, UnserializableRecordError } from '../../src/records/index.js';

const context = { partitionId: 'job/0/map>reduce/1', owner: 'Map (2/4)' };
/** What a consumer on another TaskManager receives. */
const viaNetwork = (record: unknown): unknown => deserializeBatch(serializeBatch([record], context).subarray(HEADER_BYTES))[0];

class Order {
  constructor(readonly id: number) {}
}
class Money {
  constructor(readonly cents: number) {}
  toJSON(): unknown {
    return { cents: this.cents, currency: 'EUR' };
  }
}

/** Every value the serializer accepts, alone and nested. */
function allowedValues(): Array<[string, unknown]> {
  const shared = { x: 1 };
  const errorWithName = new Error('renamed');
  errorWithName.name = 'TypeError';
  const customName = new Error('custom');
  customName.name = 'MyError';
  const regex = /a+b/gi;
  regex.lastIndex = 3;
  const withExtra = Object.assign([1, 2], { extra: 5 });
  return [
    ['string', 'hello'],
    ['number', 42.5],
    ['NaN', NaN],
    ['Infinity', -Infinity],
    ['boolean', true],
    ['undefined', undefined],
    ['null', null],
    ['bigint', 2n ** 70n],
    ['small bigint', -5n],
    ['plain object', { word: 'hello', count: 3 }],
    ['nested', { a: { b: { c: [1, 'two', null, undefined, true, { d: 4 }] } } }],
    ['array', [1, [2, [3]], { x: 'y' }]],
    ['sparse array', [1, , 3]],
    ['array with extra properties', withExtra],
    ['undefined field', { a: undefined, b: 1 }],
    ['Map', new Map<unknown, unknown>([['k', 1], [2, { v: 'w' }], [{ key: 'object' }, [1]]])],
    ['Set', new Set<unknown>([1, 'a', { o: 1 }])],
    ['Date', new Date(1_700_000_000_123)],
    ['Date before 1970', new Date(-86_400_123)],
    ['RegExp', regex],
    ['Error', new Error('boom')],
    ['TypeError with cause', new TypeError('bad', { cause: { code: 7, at: new Date(5) } })],
    ['RangeError', new RangeError('range')],
    ['Error renamed to a built-in', errorWithName],
    ['Error with a custom name', customName],
    ['Buffer', Buffer.from('bytes')],
    ['Uint8Array', new Uint8Array([1, 2, 3])],
    ['Uint8Array view', new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 4)],
    ['Float64Array', new Float64Array([1.5, -2.25])],
    ['Int16Array', new Int16Array([1, -2])],
    ['BigInt64Array', new BigInt64Array([1n, -2n])],
    ['Uint8ClampedArray', new Uint8ClampedArray([1, 255])],
    ['ArrayBuffer', new Uint8Array([9, 8, 7]).buffer],
    ['DataView', new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 1, 2)],
    ['null-prototype object', Object.assign(Object.create(null) as object, { a: 1, b: { c: 2 } })],
    ['class with toJSON', { price: new Money(250) }],
    ['getter', { get computed() { return 7; } }],
    ['non-enumerable property', Object.defineProperty({ a: 1 }, 'hidden', { value: 2, enumerable: false })],
    ['the same object twice', { a: shared, b: shared, list: [shared, shared] }],
    ['every type in one record', {
      id: 1, tags: new Set(['a']), index: new Map([['k', { deep: [new Date(3)] }]]), bytes: Buffer.from('x'),
      err: new SyntaxError('s'), re: /x/m, big: 10n, when: new Date(0), nothing: null, list: [[], {}],
    }],
  ];
}

describe('copyRecord', () => {
  test('every value the network accepts is copied to what the network delivers', () => {
    const copier = createRecordCopier(context);
    for (const [name, value] of allowedValues()) {
      for (const record of [value, { nested: value }, [value]]) {
        assert.deepStrictEqual(copyRecord(record, context), viaNetwork(record), name);
        assert.deepStrictEqual(copier(record), viaNetwork(record), `${name} (a copier of its own)`);
      }
    }
  });

  test('an invalid Date stays an invalid Date (deepStrictEqual cannot compare two: NaN !== NaN)', () => {
    const copy = copyRecord(new Date(NaN), context);
    assert.ok(copy instanceof Date && Number.isNaN(copy.getTime()));
    const sent = viaNetwork(new Date(NaN));
    assert.ok(sent instanceof Date && Number.isNaN(sent.getTime()));
  });

  test('the copy shares no object with the original', () => {
    const original = { a: { b: [1, { c: 2 }] }, m: new Map([['k', { v: 1 }]]), s: new Set([{ e: 1 }]), d: new Date(1), u: new Uint8Array([1]) };
    const copy = copyRecord(original, context);
    assert.notEqual(copy, original);
    assert.notEqual(copy.a, original.a);
    assert.notEqual(copy.a.b, original.a.b);
    assert.notEqual(copy.a.b[1], original.a.b[1]);
    assert.notEqual(copy.m.get('k'), original.m.get('k'));
    assert.notEqual([...copy.s][0], [...original.s][0]);
    assert.notEqual(copy.d, original.d);
    assert.notEqual(copy.u.buffer, original.u.buffer);
    (copy.a.b[1] as { c: number }).c = 99;
    copy.u[0] = 42;
    assert.equal((original.a.b[1] as { c: number }).c, 2);
    assert.equal(original.u[0], 1);
  });

  test('an object met twice (not a cycle) is copied twice, as the network sends it', () => {
    const shared = { x: 1 };
    const copy = copyRecord({ a: shared, b: shared }, context);
    assert.notEqual(copy.a, copy.b);
    assert.deepEqual(copy, { a: { x: 1 }, b: { x: 1 } });
  });

  test('primitives are returned as they are', () => {
    for (const value of ['s', 1, true, undefined, null, 5n]) assert.equal(copyRecord(value, context), value);
  });

  test('where the copy differs from the network, as documented: -0 stays -0, a symbol-keyed property may stay (by reference)', () => {
    assert.ok(Object.is(copyRecord(-0, context), -0));
    assert.ok(Object.is((viaNetwork(-0) as number), 0));
    const symbol = Symbol('meta');
    const meta = { m: 1 };
    const copy = copyRecord({ a: 1, [symbol]: meta }, context) as Record<string | symbol, unknown>;
    assert.equal(copy['a'], 1);
    assert.ok(copy[symbol] === undefined || copy[symbol] === meta);
    assert.equal((viaNetwork({ a: 1, [symbol]: meta }) as Record<string | symbol, unknown>)[symbol], undefined);
  });

  test('a copier of its own learns its records\' shape and still copies every other record as copyRecord does', () => {
    const copier = createRecordCopier({ owner: 'Map (1/1)' });
    for (let i = 0; i < 300; i++) {
      const record = { key: i % 7, value: i, label: `r${i}` };
      const copy = copier(record);
      assert.notEqual(copy, record);
      assert.deepStrictEqual(copy, record);
    }
    const nested = { key: 1, value: { deep: [1, 2] }, label: 'n' };
    const copy = copier(nested);
    assert.deepStrictEqual(copy, nested);
    assert.notEqual(copy.value, nested.value, 'a nested object of a known shape is copied too');
    assert.throws(() => copier({ key: 1, value: () => 1, label: 'f' }), (error: unknown) =>
      error instanceof UnserializableRecordError && error.path === 'record.value' && error.message.startsWith('cannot serialize a record of Map (1/1): record.value is a function'));
    assert.deepEqual(Object.keys(copier({ label: 'x', value: 2, key: 1 })), ['label', 'value', 'key'], 'another key order is kept');
    assert.deepStrictEqual(copier({ key: 1, value: 2 }), { key: 1, value: 2 }, 'fewer keys');
    for (let i = 0; i < 600; i++) assert.deepStrictEqual(copier({ word: 'w', count: i }), { word: 'w', count: i }, 'a new shape is learned after a run of misses');
    const withProtoKey = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const protoCopy = copier(withProtoKey) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(protoCopy), Object.prototype);
    assert.equal((protoCopy as { polluted?: unknown }).polluted, undefined);
    assert.deepStrictEqual(Object.keys(protoCopy), ['__proto__', 'a']);
  });
});

/** Values the serializer refuses, as records. */
function rejectedRecords(): Array<[string, unknown]> {
  const cyclic: Record<string, unknown> = { name: 'n' };
  cyclic['self'] = { parent: cyclic };
  const cyclicArray: unknown[] = [1];
  cyclicArray.push({ back: cyclicArray });
  const cyclicMap = new Map<string, unknown>();
  cyclicMap.set('me', cyclicMap);
  let deep: unknown = 'bottom';
  for (let i = 0; i < 200_000; i++) deep = [deep];
  return [
    ['a function', () => 1],
    ['a function field', { a: { cb: function handler() {} } }],
    ['a symbol', Symbol('alone')],
    ['a symbol in an array', { s: [1, Symbol('x')] }],
    ['a cycle', cyclic],
    ['a cycle through an array', cyclicArray],
    ['a cycle through a Map', { m: cyclicMap }],
    ['a class instance', { order: new Order(1) }],
    ['a class instance at the root', new Order(2)],
    ['a subclass of Array', { list: new (class Items extends Array {})() }],
    ['a subclass of Map', { map: new (class Index extends Map {})() }],
    ['a subclass of Set', new (class Tags extends Set {})()],
    ['a subclass of Error', { err: new (class MyError extends Error {})('x') }],
    ['an AggregateError', new AggregateError([], 'agg')],
    ['a boxed boolean', { b: new Boolean(true) }],
    ['a Promise', { p: Promise.resolve(1) }],
    ['a WeakMap', { w: new WeakMap() }],
    ['a class instance inside a Map', { m: new Map([['k', new Order(3)]]) }],
    ['a class instance inside a Set', { s: new Set([new Order(4)]) }],
    ['a function as an Error cause', new Error('e', { cause: () => 1 })],
    ['a function from toJSON', { v: { toJSON: () => ({ f: () => 1 }) } }],
    ['a record nested too deeply', deep],
  ];
}

describe('copyRecord rejects what the network rejects', () => {
  test('with the serializer\'s error, path, type and text', () => {
    const copier = createRecordCopier(context);
    for (const [name, record] of rejectedRecords()) {
      let expected: unknown;
      try {
        serializeBatch([record], context);
      } catch (error) {
        expected = error;
      }
      assert.ok(expected instanceof UnserializableRecordError, `${name}: the serializer accepted it`);
      for (const copy of [(r: unknown) => copyRecord(r, context), copier]) assert.throws(
        () => copy(record),
        (error: unknown) => {
          assert.ok(error instanceof UnserializableRecordError, `${name}: ${String(error)}`);
          assert.equal(error.message, expected.message, name);
          assert.equal(error.path, expected.path, name);
          assert.equal(error.valueType, expected.valueType, name);
          assert.equal(error.partitionId, context.partitionId);
          assert.equal(error.owner, context.owner);
          return true;
        },
      );
    }
  });

  test('inside a chain (no partition) the error names the operator that emitted the record', () => {
    assert.throws(
      () => copyRecord({ i: 1, callback: function callback() {} }, { owner: 'Map (1/1)' }),
      (error: unknown) =>
        error instanceof UnserializableRecordError &&
        error.partitionId === undefined &&
        error.message === 'cannot serialize a record of Map (1/1): record.callback is a function callback (functions cannot be sent)',
    );
  });
});
