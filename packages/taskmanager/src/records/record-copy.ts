import { UnserializableRecordError } from './errors.js';
import { findOffence, isRejectedObject } from './serializable-values.js';

/**
 * A deep copy of a record: what a consumer on another TaskManager would
 * receive, without serializing. Used wherever the runtime keeps or shares a
 * reference to a record (docs/datastream-api.md, "Object reuse"), so that no
 * user function can change keyed state, operator state or another
 * operator's input by mutating a record it received or emitted.
 *
 * Invariants:
 * - it accepts exactly the values the network's serializer accepts
 *   (serializable-values.ts) and rejects the others with the serializer's
 *   UnserializableRecordError, same path, type and text for the same context;
 * - the copy equals what msgpackr (useRecords + moreTypes, the network's
 *   codec) gives back, except that -0 stays -0 and strings are kept as they
 *   are (the network sends them as UTF-8, so a lone surrogate arrives as
 *   U+FFFD), and that an own symbol-keyed property of a plain object may be
 *   kept by reference (the network drops it; the copier does not look for
 *   them: the object spread of its general path keeps them, the shape path
 *   below drops them);
 * - nothing in the copy is shared with the original (but such symbol-keyed
 *   values), and an object met twice (not a cycle) is copied twice;
 * - primitives (the common record: a number or a string) cost one `typeof`.
 *
 * Dispatch follows msgpackr's packer: `constructor === Object` / `Array` /
 * `Map` first (plain records never reach the slower checks), then the
 * rejection rule, then the built-in types in msgpackr's order, `toJSON()`,
 * and finally a plain object of the own enumerable properties. Cycles and
 * excessive depth are not tracked on the way down (that would cost every
 * record): they end in a stack overflow, after which the same iterative walk
 * the serializer uses names the culprit.
 *
 * Per-site copiers (`createRecordCopier`): V8 keeps its inline caches per
 * function, and one copier shared by every operator of a slot sees every
 * record shape of every job and turns megamorphic — its object spread then
 * takes V8's slow path (measured 120 ns against 33 ns for `{key, value}` on
 * a loaded machine). So each place that copies in a loop (an operator's
 * output, a collect sink) gets a copier of its own, compiled from the same
 * source, whose top level only sees that operator's records; nested values
 * go through the shared functions below. A site also learns the shape (own
 * keys, in order) of the first plain object it copies and compiles a copier
 * for it — its keys compared in a `for…in`, then an object literal — which
 * is 1.5–3x faster than spread and key loop for flat records; other records, and
 * records with nested objects, take the general path, and 256 misses in a
 * row make it learn the new shape. `copyRecord` is the shared entry point
 * for occasional copies.
 *
 * Measured against structuredClone and a msgpackr round trip in
 * `pnpm bench record-copy` (docs/datastream-api.md has the figures).
 */

export interface RecordCopyContext {
  /** Who emitted the record: `Keyed Reduce (1/2)`, or a task. */
  readonly owner: string;
  /** The partition it was written to, when it crossed one. */
  readonly partitionId?: string;
}

/** Thrown inside the copier for a rejected value; replaced by a descriptive error. */
const REJECTED = new Error('value rejected by the Rivulet record copier');

const hasOwn = Object.prototype.hasOwnProperty;
const dateToJSON = Date.prototype.toJSON;
const bufferToJSON = Buffer.prototype.toJSON;
const TypedArray = Object.getPrototypeOf(Uint8Array) as abstract new (...args: never[]) => ArrayBufferView;
/** msgpackr's built-in extensions, in its order (the first `instanceof` match wins). */
const BUILT_INS: readonly (abstract new (...args: never[]) => object)[] = [Date, Set, Error, RegExp, ArrayBuffer, TypedArray, DataView];
/** The classes msgpackr's unpacker builds an Error with, by name (a plain object, as msgpackr's own table). */
const ERRORS: Record<string, unknown> = {
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError,
};

/**
 * A deep copy of `record` (see the module comment); primitives are returned
 * as they are. Throws UnserializableRecordError, naming `context`, for a
 * record the network could not send.
 */
export function copyRecord<T>(record: T, context: RecordCopyContext): T {
  if (typeof record !== 'object' || record === null) {
    if (typeof record === 'function' || typeof record === 'symbol') throw unserializableRecord(record, context, REJECTED);
    return record;
  }
  try {
    return copyObject(record) as T;
  } catch (error) {
    throw unserializableRecord(record, context, error);
  }
}

/** A copier of its own for one place that copies records in a loop (see the module comment); same results as `copyRecord`. */
export function createRecordCopier(context: RecordCopyContext): <T>(record: T) => T {
  const site = createRecordCopySite(context);
  return <T>(record: T): T => site.copy(record) as T;
}

/**
 * The same as an object whose `copy` is the site's current copier itself
 * (replaced when the site learns a shape): hot paths call `site.copy(r)`,
 * one call V8 inlines, instead of going through a wrapper.
 */
export interface RecordCopySite {
  copy: (record: unknown) => unknown;
}

export function createRecordCopySite(context: RecordCopyContext): RecordCopySite {
  const id = ++copierSites;
  const fail = (record: unknown, error: unknown): UnserializableRecordError => unserializableRecord(record, context, error);
  const general = compileCopier(COPIER_SOURCE, id, fail);
  const state = { misses: 0 };
  const site: RecordCopySite = { copy: general };
  /** Compiles a copier for the shape of the plain object `record` (its own enumerable keys, in order); others go to `general`. */
  const learn = (record: unknown): void => {
    const keys = typeof record === 'object' && record !== null && (record as { constructor?: unknown }).constructor === Object ? Object.keys(record) : [];
    site.copy = keys.length === 0 || keys.length > MAX_SHAPE_KEYS || keys.includes('__proto__')
      ? general
      : compileCopier(shapeSource(keys), id, fail, general, state, relearn);
  };
  /** Many records in a row of another shape: learn theirs. */
  const relearn = (record: unknown): unknown => {
    learn(record);
    return site.copy(record);
  };
  site.copy = relearn;
  return site;
}

let copierSites = 0;
/** Records with more keys take the general path (generated code per shape stays small). */
const MAX_SHAPE_KEYS = 16;
/** Consecutive records of another shape after which a site learns the new one. */
const RELEARN_AFTER = 256;

function compileCopier(
  source: string,
  site: number,
  fail: (record: unknown, error: unknown) => UnserializableRecordError,
  general?: (record: unknown) => unknown,
  state?: { misses: number },
  relearn?: (record: unknown) => unknown,
): (record: unknown) => unknown {
  const factory = new Function('copyObject', 'hasOwn', 'REJECTED', 'fail', 'general', 'state', 'relearn', `${source}\n//# copier site ${site}`) as (
    ...args: unknown[]
  ) => (record: unknown) => unknown;
  return factory(copyObject, hasOwn, REJECTED, fail, general, state, relearn);
}

/**
 * A copier for one shape of plain object: a `for…in` over the record (V8's
 * cached key list, nothing allocated) compared with the shape's keys, then
 * an object literal of the same keys in the same order — V8 builds it with a
 * preset hidden class, without the spread's and the key loop's work. Any
 * other record, or a value that is not a primitive, takes the general path
 * (an inherited enumerable key, which only a polluted Object.prototype has,
 * makes the key count differ).
 */
function shapeSource(keys: readonly string[]): string {
  const literal = (key: string): string => JSON.stringify(key);
  const values = keys.map((key, i) => `const v${i} = record[${literal(key)}];`).join('\n        ');
  const primitive = keys.map((_, i) => `(typeof v${i} !== 'object' || v${i} === null) && typeof v${i} !== 'function' && typeof v${i} !== 'symbol'`).join(' &&\n          ');
  const copy = keys.map((key, i) => `${literal(key)}: v${i}`).join(', ');
  const expected = `[${keys.map(literal).join(', ')}]`;
  return `
  'use strict';
  const KEYS = ${expected};
  return function copyRecordOfShape(record) {
    if (typeof record === 'object' && record !== null && record.constructor === Object) {
      let n = 0;
      for (const key in record) {
        if (n === ${keys.length} || key !== KEYS[n]) { n = -1; break; }
        n++;
      }
      if (n === ${keys.length}) {
        state.misses = 0;
        ${values}
        if (${primitive}) return { ${copy} };
        return general(record);
      }
    }
    if (++state.misses >= ${RELEARN_AFTER}) {
      state.misses = 0;
      return relearn(record);
    }
    return general(record);
  };
`;
}

/** The general per-site copier: copyRecord with the plain object and array cases inlined, so their caches are the site's own. */
const COPIER_SOURCE = `
  'use strict';
  return function copyRecordAtSite(record) {
    if (typeof record !== 'object' || record === null) {
      if (typeof record === 'function' || typeof record === 'symbol') throw fail(record, REJECTED);
      return record;
    }
    try {
      const constructor = record.constructor;
      if (constructor === Object) {
        const copy = { ...record };
        for (const key in copy) {
          const value = copy[key];
          if (typeof value === 'object') {
            if (value !== null && hasOwn.call(copy, key)) copy[key] = copyObject(value);
          } else if ((typeof value === 'function' || typeof value === 'symbol') && hasOwn.call(copy, key)) {
            throw REJECTED;
          }
        }
        return copy;
      }
      if (constructor === Array) {
        const length = record.length;
        const copy = new Array(length);
        for (let i = 0; i < length; i++) {
          const value = record[i];
          if (typeof value === 'object') copy[i] = value === null ? null : copyObject(value);
          else if (typeof value === 'function' || typeof value === 'symbol') throw REJECTED;
          else copy[i] = value;
        }
        return copy;
      }
      return copyObject(record);
    } catch (error) {
      throw fail(record, error);
    }
  };
`;

/**
 * The serializer's error for `record`, which failed with `error`: the first
 * offending value and its path, else (a stack overflow without a cycle, an
 * exception of a getter or toJSON) the reason.
 */
export function unserializableRecord(record: unknown, context: RecordCopyContext, error: unknown): UnserializableRecordError {
  const offence = findOffence(record, 'record');
  const where = { owner: context.owner, partitionId: context.partitionId };
  if (offence) return new UnserializableRecordError({ ...where, ...offence }, { cause: error === REJECTED ? undefined : error });
  const message = error instanceof Error ? error.message : String(error);
  const problem = error instanceof RangeError && /call stack/i.test(message) ? 'nested too deeply to serialize' : `not serializable (${message})`;
  return new UnserializableRecordError({ ...where, path: 'record', valueType: 'unknown', problem }, { cause: error });
}

function copyValue(value: unknown): unknown {
  if (typeof value === 'object') return value === null ? null : copyObject(value);
  if (typeof value === 'function' || typeof value === 'symbol') throw REJECTED;
  return value;
}

function copyObject(value: object): unknown {
  const constructor = (value as { constructor?: unknown }).constructor;
  if (constructor === Object) return copyPlainObject(value as Record<string, unknown>);
  if (constructor === Array) return copyArray(value as readonly unknown[]);
  if (constructor === Map) return copyMap(value as ReadonlyMap<unknown, unknown>);
  return copyOther(value, constructor);
}

/** Spread copies the own enumerable properties in one step (V8's fast object clone); then nested values are replaced by copies. */
function copyPlainObject(source: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...source };
  for (const key in copy) {
    const value = copy[key];
    if (typeof value === 'object') {
      if (value !== null && hasOwn.call(copy, key)) copy[key] = copyObject(value);
    } else if ((typeof value === 'function' || typeof value === 'symbol') && hasOwn.call(copy, key)) {
      throw REJECTED;
    }
  }
  return copy;
}

/** Indices 0..length-1 (holes become undefined, other properties are dropped, as msgpackr sends arrays). */
function copyArray(source: readonly unknown[]): unknown[] {
  const length = source.length;
  const copy = new Array<unknown>(length);
  for (let i = 0; i < length; i++) {
    const value = source[i];
    if (typeof value === 'object') copy[i] = value === null ? null : copyObject(value);
    else if (typeof value === 'function' || typeof value === 'symbol') throw REJECTED;
    else copy[i] = value;
  }
  return copy;
}

function copyMap(source: ReadonlyMap<unknown, unknown>): Map<unknown, unknown> {
  const copy = new Map<unknown, unknown>();
  for (const [key, value] of source) copy.set(copyValue(key), copyValue(value));
  return copy;
}

function copyOther(value: object, constructor: unknown): unknown {
  if (typeof value === 'function' || isRejectedObject(value)) throw REJECTED;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  for (const builtIn of BUILT_INS) {
    if (!(value instanceof builtIn)) continue;
    // msgpackr: a subclass of a built-in with a toJSON of its own is sent as what toJSON returns.
    if (constructor !== builtIn && toJSON !== undefined && toJSON !== dateToJSON && toJSON !== bufferToJSON) break;
    return copyBuiltIn(value, builtIn);
  }
  if (Array.isArray(value)) return copyArray(value);
  if (toJSON) {
    const json: unknown = (toJSON as () => unknown).call(value);
    if (json !== value) return copyValue(json);
  }
  return copyOwnProperties(value);
}

function copyBuiltIn(value: object, builtIn: unknown): unknown {
  switch (builtIn) {
    case Date:
      return new Date((value as Date).getTime());
    case Set:
      return new Set(Array.from(value as ReadonlySet<unknown>, copyValue));
    case Error: {
      const error = value as Error;
      const name = copyValue(error.name);
      const message = copyValue(error.message);
      const cause = copyValue(error.cause);
      const ErrorClass = ERRORS[name as string] as ((message: unknown, options: { cause: unknown }) => unknown) | undefined;
      if (ErrorClass) return ErrorClass(message, { cause });
      const copy = Error(message as string, { cause });
      copy.name = name as string;
      return copy;
    }
    case RegExp:
      return new RegExp((value as RegExp).source, (value as RegExp).flags);
    case ArrayBuffer:
      return (value as ArrayBuffer).slice(0);
    case DataView: {
      const view = value as DataView;
      return new DataView(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
    }
    default: {
      // A typed array: Buffer stays a Buffer (its slice() would be a view), the others keep their class.
      if (Buffer.isBuffer(value)) return Buffer.from(value);
      // new + set: byte for byte, and small arrays stay on V8's heap (a sliced ArrayBuffer is allocated outside it).
      const view = value as Uint8Array;
      const copy = new (view.constructor as Uint8ArrayConstructor)(view.length);
      copy.set(view);
      return copy;
    }
  }
}

/** msgpackr's writeObject for what is not a plain object (a null-prototype object): its own enumerable string keys. */
function copyOwnProperties(value: object): Record<string, unknown> {
  const source = value as Record<string, unknown> & { hasOwnProperty?: unknown };
  const checkOwn = typeof source.hasOwnProperty === 'function';
  const copy: Record<string, unknown> = {};
  for (const key in source) {
    if (!checkOwn || (source.hasOwnProperty as (key: string) => boolean)(key)) copy[key] = copyValue(source[key]);
  }
  return copy;
}
