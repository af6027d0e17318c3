import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UnserializableRecordError } from '../../src/network/index.js';
import { deserializeBatch, serializeBatch } from '../../src/network/record-serializer.js';
import { HEADER_BYTES } from '../../src/network/frames.js';

const context = { partitionId: 'job/0/src/1', owner: 'Source (2/4)' };
const roundTrip = (records: unknown[]): unknown[] => deserializeBatch(serializeBatch(records, context).subarray(HEADER_BYTES));

function rejects(record: unknown, path: string, valueType: RegExp): void {
  assert.throws(
    () => serializeBatch([{ ok: 1 }, record], context),
    (error: unknown) => {
      assert.ok(error instanceof UnserializableRecordError, String(error));
      assert.equal(error.partitionId, context.partitionId);
      assert.equal(error.path, path);
      assert.match(error.valueType, valueType);
      assert.match(error.message, /partition job\/0\/src\/1 \(owner Source \(2\/4\)\)/);
      return true;
    },
  );
}

class Order {
  constructor(readonly id: number) {}
}
class Money {
  constructor(readonly cents: number) {}
  toJSON(): unknown {
    return { cents: this.cents };
  }
}

describe('record serializer', () => {
  test('plain data and the built-in types msgpackr restores round-trip', () => {
    const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
    const records = [
      { word: 'hello', count: 3, nested: { list: [1, 'two', null, undefined, true] } },
      { when: new Date(5), tags: new Set(['a']), index: new Map<unknown, unknown>([['k', 1], [2, 'v']]) },
      { big: 2n ** 70n, small: -5n, nan: NaN, inf: -Infinity, re: /a+b/gi },
      { bytes: new Uint8Array([1, 2]), floats: new Float64Array([1.5]), buf: Buffer.from('xy'), err: new TypeError('boom') },
      nullProto,
    ];
    const out = roundTrip(records) as Array<Record<string, unknown>>;
    assert.deepEqual(out[0], records[0]);
    assert.ok(out[1]!['when'] instanceof Date && out[1]!['tags'] instanceof Set && out[1]!['index'] instanceof Map);
    assert.equal(out[2]!['big'], 2n ** 70n);
    assert.ok(out[3]!['floats'] instanceof Float64Array);
    assert.ok(out[3]!['err'] instanceof TypeError);
    assert.deepEqual(out[4], { a: 1 });
  });

  test('a class with toJSON() is sent as what toJSON returns', () => {
    assert.deepEqual(roundTrip([{ price: new Money(250) }]), [{ price: { cents: 250 } }]);
  });

  test('a function is rejected, naming its path', () => rejects({ a: { cb: () => 1 } }, 'record.a.cb', /^function$/));
  test('a symbol is rejected', () => rejects({ s: [1, Symbol('x')] }, 'record.s[1]', /^symbol$/));
  test('a cycle is rejected', () => {
    const node: Record<string, unknown> = { name: 'n' };
    node['self'] = { parent: node };
    rejects(node, 'record.self.parent', /^cycle$/);
  });
  test('a class instance that would lose its prototype is rejected', () => rejects({ order: new Order(1) }, 'record.order', /instance of class Order/));
  test('a subclass of a built-in is rejected', () => rejects({ list: new (class Items extends Array {})() }, 'record.list', /class Items/));
  test('a class instance inside a Map or Set is found', () => rejects({ m: new Map([['k', new Order(2)]]) }, 'record.m.get(k)', /Order/));
  test('a shared (non-cyclic) object is allowed', () => {
    const shared = { x: 1 };
    assert.deepEqual(roundTrip([{ a: shared, b: shared }]), [{ a: { x: 1 }, b: { x: 1 } }]);
  });

  test('other msgpackr users in the process keep its default behaviour', async () => {
    const { Packr } = await import('msgpackr');
    assert.doesNotThrow(() => new Packr().pack([new Order(3)]));
  });

  test('bytes that are not a batch are refused', () => {
    assert.throws(() => deserializeBatch(Buffer.from([0x01])), /not a batch/);
  });
});
