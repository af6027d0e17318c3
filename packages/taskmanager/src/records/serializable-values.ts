/**
 * What a record may contain, and where a record breaks that rule.
 *
 * Rivulet sends records with msgpackr (`useRecords` + `moreTypes`). Measured
 * behaviour of msgpackr for values that are not plain data, and our rule:
 *
 * | value | msgpackr alone | Rivulet |
 * |---|---|---|
 * | function | silently sent as `undefined` | rejected |
 * | symbol value | throws "Unknown type: symbol" | rejected (clear error) |
 * | object with a cycle | stack overflow (RangeError) | rejected (clear error) |
 * | instance of a user class | sent as a plain object, prototype lost | rejected, unless it has `toJSON()` (explicit opt-in, as in JSON.stringify) |
 * | subclass of Array, Map, Error… | sent as the base type, prototype lost | rejected |
 * | BigInt (any size) | arrives as BigInt (moreTypes) | allowed |
 * | Date, Map, Set, RegExp, built-in Errors, ArrayBuffer, DataView, Buffer, typed arrays | round-trip (moreTypes) | allowed |
 * | null-prototype object | arrives as a plain object | allowed |
 * | undefined, NaN, ±Infinity | round-trip | allowed (-0 arrives as 0) |
 * | symbol-keyed properties | dropped (like JSON) | dropped |
 */

/** Classes msgpackr (with moreTypes) restores with their own prototype. */
const ROUND_TRIP_CLASSES: ReadonlySet<unknown> = new Set<unknown>([
  Object, Array, Map, Date, Set, RegExp,
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
  ArrayBuffer, DataView, Buffer,
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
]);

/**
 * True when msgpackr would change this object or function into something
 * else. Called by the serializer's hook only for values that are neither
 * plain objects, arrays nor Maps, so plain records never pay for it.
 */
export function isRejectedObject(value: object): boolean {
  if (typeof value === 'function') return true;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null) return false;
  if (ROUND_TRIP_CLASSES.has((value as { constructor?: unknown }).constructor)) return false;
  return typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

export interface Offence {
  /** Where, from the record's root: `record.a.b[2]`. */
  readonly path: string;
  readonly valueType: string;
  /** A phrase completing "`path` is …". */
  readonly problem: string;
}

interface Visit {
  readonly value: unknown;
  readonly path: string;
  /** Leaving `value`: it is no longer an ancestor. */
  readonly exit: boolean;
}

/**
 * Finds the first value in `root` (depth first, in property order) that a
 * record may not contain. Iterative, so deep records cannot overflow the
 * stack here. Slow path: called only after serialization failed.
 */
export function findOffence(root: unknown, rootPath: string): Offence | undefined {
  const ancestors = new Set<object>();
  const stack: Visit[] = [{ value: root, path: rootPath, exit: false }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { value, path } = visit;
    if (visit.exit) {
      ancestors.delete(value as object);
      continue;
    }
    if (typeof value === 'function') {
      const name = value.name ? ` ${value.name}` : '';
      return { path, valueType: 'function', problem: `a function${name} (functions cannot be sent)` };
    }
    if (typeof value === 'symbol') return { path, valueType: 'symbol', problem: `a symbol (${String(value)})` };
    if (typeof value !== 'object' || value === null) continue;
    if (ancestors.has(value)) return { path, valueType: 'cycle', problem: 'a reference to one of its ancestors (the record has a cycle)' };
    if (isRejectedObject(value)) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'anonymous';
      return {
        path,
        valueType: `instance of class ${name}`,
        problem: `an instance of class ${name}, which would arrive as a plain object (send plain data, or give the class a toJSON())`,
      };
    }
    const children = childrenOf(value, path);
    if (children.length === 0) continue;
    ancestors.add(value);
    stack.push({ value, path, exit: true });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Visit);
  }
  return undefined;
}

function childrenOf(value: object, path: string): Visit[] {
  const visit = (child: unknown, childPath: string): Visit => ({ value: child, path: childPath, exit: false });
  if (Array.isArray(value)) return value.map((child, i) => visit(child, `${path}[${i}]`));
  if (value instanceof Map) return [...value].flatMap(([k, v], i) => [visit(k, `${path}.keys()[${i}]`), visit(v, `${path}.get(${String(k)})`)]);
  if (value instanceof Set) return [...value].map((child, i) => visit(child, `${path}.values()[${i}]`));
  if (value instanceof Error) return value.cause === undefined ? [] : [visit(value.cause, `${path}.cause`)];
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return [];
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  const proto: unknown = Object.getPrototypeOf(value);
  if (typeof toJSON === 'function' && proto !== null && proto !== Object.prototype) {
    return [visit((toJSON as () => unknown).call(value), `${path}.toJSON()`)];
  }
  const children: Visit[] = [];
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key)) children.push(visit((value as Record<string, unknown>)[key], `${path}.${key}`));
  }
  return children;
}
