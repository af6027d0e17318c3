/**
 * A MessagePack writer for plain data that writes exactly the bytes msgpackr
 * writes (snapshot-codec.ts's Packr: records on, no shared structures), in
 * one pass and without msgpackr's general machinery. It exists for speed:
 * snapshots are megabytes of the same few shapes of objects, and the
 * asynchronous part of a checkpoint is bounded by how fast they encode.
 *
 * Plain data: numbers, strings, booleans, null, undefined, arrays, Maps and
 * objects whose constructor is `Object`, with at most 64 distinct object
 * shapes (msgpackr's own-record ids, 0x40–0x7f). Anything else (bigint, Date,
 * Set, typed arrays, class instances, …) makes `packPlainData` return
 * undefined, and the caller encodes with msgpackr, so every value that
 * msgpackr stores is still stored, the same way.
 *
 * Byte compatibility (what the tests hold it to): the output equals
 * `new Packr({ mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' }).pack(value)`
 * for every value it accepts — records as msgpackr writes them (`d4 72 id`
 * and the key array the first time a shape appears, the id alone after),
 * integers below 0x40 as fixints (0x40–0x7f are record ids), other integers
 * in the smallest int/uint, other numbers as float64, strings as UTF-8 (below
 * 64 characters encoded here, longer ones by `Buffer#utf8Write`, as msgpackr
 * does, so lone surrogates come out the same too). So the bytes decode with
 * msgpackr, in any process, as before.
 *
 * Output: a view into a chunk that later encodings never overwrite (they
 * move on, or take a new chunk), like msgpackr's own output.
 */

/** Thrown inside the writer when a value is not plain data (one instance: no stack is captured per throw). */
const NOT_PLAIN_DATA = new Error('not plain data');

const MIN_CHUNK_BYTES = 1 << 20;
const FIRST_RECORD_ID = 0x40;
const RECORD_ID_END = 0x80;
const MAX_SHAPE_NODES = 4096;

/** A node of the shape tree: keys in order lead from the root to a shape's node. */
interface ShapeNode {
  readonly next: Map<string, ShapeNode>;
  /** The record id of the shape ending here in the current encoding; 0: none yet. */
  id: number;
  /** The encoding (`encodingNumber`) `id` belongs to. */
  encoding: number;
  /** The shape's keys, once an object of it was written. */
  keys: string[] | undefined;
}

/** Node's Buffer has `utf8Write` (what `buf.write(s, offset, length, 'utf8')` calls, without its argument parsing); @types/node does not declare it. */
type OutputBuffer = Buffer & { utf8Write(text: string, offset: number, length: number): number };

let chunk = Buffer.allocUnsafeSlow(MIN_CHUNK_BYTES) as OutputBuffer;
let view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
let start = 0;
let position = 0;
/** Room left for a value's fixed-size parts; strings check their own room. */
let safeEnd = chunk.length - 16;

let shapeRoot: ShapeNode = { next: new Map(), id: 0, encoding: 0, keys: undefined };
/** Nodes under `shapeRoot`; past MAX_SHAPE_NODES (objects used as dictionaries) the tree starts again. */
let shapeNodes = 0;
let encodingNumber = 0;
let nextRecordId = FIRST_RECORD_ID;
/** Depth of records being written (an object inside an object is one deeper). */
let depth = 0;
/** Per depth, the last shape written there (keys and record id), to recognise the next object of that shape. */
const shapeKeysAt: (string[] | undefined)[] = [];
const shapeIdsAt: number[] = [];

/** `value` as msgpackr would pack it, or undefined when it is not plain data (see above). */
export function packPlainData(value: unknown, sizeHint = 0): Uint8Array | undefined {
  position = (position + 7) & ~7;
  start = position;
  if (chunk.length - position < Math.max(sizeHint, 64 * 1024)) newChunk(sizeHint);
  if (shapeNodes > MAX_SHAPE_NODES) {
    shapeRoot = { next: new Map(), id: 0, encoding: 0, keys: undefined };
    shapeNodes = 0;
  }
  encodingNumber += 1;
  nextRecordId = FIRST_RECORD_ID;
  depth = 0;
  shapeKeysAt.length = 0;
  shapeIdsAt.length = 0;
  try {
    pack(value);
  } catch (err) {
    if (err === NOT_PLAIN_DATA) {
      position = start;
      return undefined;
    }
    throw err;
  }
  return chunk.subarray(start, position);
}

/** Moves the encoding in progress (from `start`) to a new chunk with room for `needed` more bytes. */
function newChunk(needed: number): void {
  const used = position - start;
  const size = Math.max(MIN_CHUNK_BYTES, (used + needed) * 2);
  const next = Buffer.allocUnsafeSlow(size) as OutputBuffer;
  chunk.copy(next, 0, start, position);
  chunk = next;
  view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  start = 0;
  position = used;
  safeEnd = next.length - 16;
}

function pack(value: unknown): void {
  if (position > safeEnd) newChunk(64);
  switch (typeof value) {
    case 'string':
      return packString(value);
    case 'number':
      return packNumber(value);
    case 'boolean':
      chunk[position++] = value ? 0xc3 : 0xc2;
      return;
    case 'undefined':
      chunk[position++] = 0xd4;
      chunk[position++] = 0;
      chunk[position++] = 0;
      return;
    case 'object': {
      if (value === null) {
        chunk[position++] = 0xc0;
        return;
      }
      const constructor = (value as { constructor?: unknown }).constructor;
      if (constructor === Object) return packRecord(value as Record<string, unknown>);
      if (constructor === Array) return packArray(value as unknown[]);
      if (constructor === Map) return packMap(value as Map<unknown, unknown>);
      throw NOT_PLAIN_DATA;
    }
    default:
      throw NOT_PLAIN_DATA;
  }
}

function packNumber(value: number): void {
  if (value >>> 0 === value) {
    if (value < 0x40) {
      chunk[position++] = value;
    } else if (value < 0x100) {
      chunk[position++] = 0xcc;
      chunk[position++] = value;
    } else if (value < 0x10000) {
      chunk[position++] = 0xcd;
      chunk[position++] = value >> 8;
      chunk[position++] = value & 0xff;
    } else {
      chunk[position++] = 0xce;
      view.setUint32(position, value);
      position += 4;
    }
  } else if (value >> 0 === value) {
    if (value >= -0x20) {
      chunk[position++] = 0x100 + value;
    } else if (value >= -0x80) {
      chunk[position++] = 0xd0;
      chunk[position++] = value + 0x100;
    } else if (value >= -0x8000) {
      chunk[position++] = 0xd1;
      view.setInt16(position, value);
      position += 2;
    } else {
      chunk[position++] = 0xd2;
      view.setInt32(position, value);
      position += 4;
    }
  } else {
    chunk[position++] = 0xcb;
    view.setFloat64(position, value);
    position += 8;
  }
}

function packString(value: string): void {
  const chars = value.length;
  // The header's size from the length in characters, as msgpackr guesses it; moved below if the bytes need a bigger one.
  const headerSize = chars < 0x20 ? 1 : chars < 0x100 ? 2 : chars < 0x10000 ? 3 : 5;
  if (position + chars * 3 + 5 > chunk.length) newChunk(chars * 3 + 5);
  let length: number;
  if (chars < 0x40) {
    let at = position + headerSize;
    for (let i = 0; i < chars; i++) {
      let c = value.charCodeAt(i);
      if (c < 0x80) {
        chunk[at++] = c;
      } else if (c < 0x800) {
        chunk[at++] = (c >> 6) | 0xc0;
        chunk[at++] = (c & 0x3f) | 0x80;
      } else {
        const low = value.charCodeAt(i + 1);
        if ((c & 0xfc00) === 0xd800 && (low & 0xfc00) === 0xdc00) {
          c = 0x10000 + ((c & 0x03ff) << 10) + (low & 0x03ff);
          i++;
          chunk[at++] = (c >> 18) | 0xf0;
          chunk[at++] = ((c >> 12) & 0x3f) | 0x80;
          chunk[at++] = ((c >> 6) & 0x3f) | 0x80;
          chunk[at++] = (c & 0x3f) | 0x80;
        } else {
          chunk[at++] = (c >> 12) | 0xe0;
          chunk[at++] = ((c >> 6) & 0x3f) | 0x80;
          chunk[at++] = (c & 0x3f) | 0x80;
        }
      }
    }
    length = at - position - headerSize;
  } else {
    length = chunk.utf8Write(value, position + headerSize, chunk.length - position - headerSize);
  }
  if (length < 0x20) {
    chunk[position++] = 0xa0 | length;
  } else if (length < 0x100) {
    if (headerSize < 2) chunk.copyWithin(position + 2, position + 1, position + 1 + length);
    chunk[position++] = 0xd9;
    chunk[position++] = length;
  } else if (length < 0x10000) {
    if (headerSize < 3) chunk.copyWithin(position + 3, position + headerSize, position + headerSize + length);
    chunk[position++] = 0xda;
    chunk[position++] = length >> 8;
    chunk[position++] = length & 0xff;
  } else {
    if (headerSize < 5) chunk.copyWithin(position + 5, position + headerSize, position + headerSize + length);
    chunk[position++] = 0xdb;
    view.setUint32(position, length);
    position += 4;
  }
  position += length;
}

function packArray(array: unknown[]): void {
  const length = array.length;
  if (length < 0x10) {
    chunk[position++] = 0x90 | length;
  } else if (length < 0x10000) {
    chunk[position++] = 0xdc;
    chunk[position++] = length >> 8;
    chunk[position++] = length & 0xff;
  } else {
    chunk[position++] = 0xdd;
    view.setUint32(position, length);
    position += 4;
  }
  for (let i = 0; i < length; i++) pack(array[i]);
}

function packMap(map: Map<unknown, unknown>): void {
  const length = map.size;
  if (length < 0x10) {
    chunk[position++] = 0x80 | length;
  } else if (length < 0x10000) {
    chunk[position++] = 0xde;
    chunk[position++] = length >> 8;
    chunk[position++] = length & 0xff;
  } else {
    chunk[position++] = 0xdf;
    view.setUint32(position, length);
    position += 4;
  }
  for (const [key, entry] of map) {
    pack(key);
    pack(entry);
  }
}

/**
 * A plain object as a msgpackr record. Fast path: the object has the keys,
 * in order, of the last shape written at the same depth of records (one pass
 * over its keys to see that), then its values follow the shape's id.
 */
function packRecord(object: Record<string, unknown>): void {
  const d = depth;
  const keys = shapeKeysAt[d];
  let same = keys !== undefined;
  if (same) {
    let i = 0;
    for (const key in object) {
      if (key !== keys![i++]) {
        same = false;
        break;
      }
    }
    same &&= i === keys!.length;
  }
  depth = d + 1;
  if (same) {
    chunk[position++] = shapeIdsAt[d]!;
    for (let i = 0; i < keys!.length; i++) pack(object[keys![i]!]);
  } else {
    packRecordOfNewShape(object, d);
  }
  depth = d;
}

function packRecordOfNewShape(object: Record<string, unknown>, d: number): void {
  let node = shapeRoot;
  let length = 0;
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) throw NOT_PLAIN_DATA;
    let next = node.next.get(key);
    if (next === undefined) {
      next = { next: new Map(), id: 0, encoding: 0, keys: undefined };
      node.next.set(key, next);
      shapeNodes++;
    }
    node = next;
    length++;
  }
  const keys = (node.keys ??= Object.keys(object));
  if (keys.length !== length) throw NOT_PLAIN_DATA;
  if (node.encoding === encodingNumber) {
    chunk[position++] = node.id;
  } else {
    if (nextRecordId >= RECORD_ID_END) throw NOT_PLAIN_DATA;
    node.id = nextRecordId++;
    node.encoding = encodingNumber;
    chunk[position++] = 0xd4;
    chunk[position++] = 0x72;
    chunk[position++] = node.id;
    packArray(keys);
  }
  shapeKeysAt[d] = keys;
  shapeIdsAt[d] = node.id;
  for (let i = 0; i < length; i++) pack(object[keys[i]!]);
}
