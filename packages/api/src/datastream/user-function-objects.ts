import { JobGraphError } from '../errors.js';
import type { UserFunctionHooks } from '../rich-functions.js';

/**
 * The per-record function of a map/filter/flatMap argument, and the object
 * itself when it is one (its hooks run around and at checkpoints): a plain
 * function is used as it is; an object's method is bound once, so the
 * runtime calls a function either way.
 */
export function perRecordFunction<F extends (...args: never[]) => unknown>(
  fn: F | (UserFunctionHooks & Record<string, unknown>),
  method: 'map' | 'filter' | 'flatMap',
): { readonly fn: F; readonly hooks?: UserFunctionHooks } {
  if (typeof fn === 'function') return { fn };
  const call = `${method}()`;
  if (typeof fn !== 'object' || fn === null) {
    throw new JobGraphError('INVALID_ARGUMENT', `${call} needs a function or an object with a ${method}() method, got ${fn === null ? 'null' : typeof fn}`);
  }
  const perRecord = fn[method];
  if (typeof perRecord !== 'function') {
    throw new JobGraphError('INVALID_ARGUMENT', `${call} was given an object without a ${method}() method (it has ${typeof perRecord === 'undefined' ? 'none' : `a ${typeof perRecord}`})`);
  }
  for (const hook of ['open', 'close', 'initializeState', 'snapshotState'] as const) {
    const value = fn[hook];
    if (value !== undefined && typeof value !== 'function') {
      throw new JobGraphError('INVALID_ARGUMENT', `${call}: the function object's ${hook} must be a method, got ${value === null ? 'null' : typeof value}`);
    }
  }
  return { fn: (perRecord as F).bind(fn) as F, hooks: fn };
}
