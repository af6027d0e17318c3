import { CheckpointStorageError, type StorageOperation } from './errors.js';

/**
 * Storage-relative paths. A path names an object under the storage root with
 * `/`-separated segments, e.g. `3f2a…/chk-7/_metadata`. Invariant enforced
 * here: no path escapes the root — no leading `/`, no `.` or `..` segment, no
 * empty segment, no backslash or NUL. Both backends call these before any I/O,
 * so a path means the same object on the filesystem and on S3.
 */

const BAD_CHARS = /[\\\0]/;

function invalid(operation: StorageOperation, uri: string, path: string, why: string): CheckpointStorageError {
  return new CheckpointStorageError('INVALID_PATH', operation, uri, `invalid storage path ${JSON.stringify(path)}: ${why}`);
}

/** Checks an object path (at least one segment) and returns it unchanged. */
export function checkObjectPath(path: string, operation: StorageOperation, uri: string): string {
  if (path.length === 0) throw invalid(operation, uri, path, 'empty');
  if (path.startsWith('/')) throw invalid(operation, uri, path, 'must be relative to the storage root');
  if (path.endsWith('/')) throw invalid(operation, uri, path, 'names a folder, not an object');
  if (BAD_CHARS.test(path)) throw invalid(operation, uri, path, 'contains a backslash or NUL');
  for (const segment of path.split('/')) {
    if (segment === '') throw invalid(operation, uri, path, 'has an empty segment');
    if (segment === '.' || segment === '..') throw invalid(operation, uri, path, `has a "${segment}" segment`);
  }
  return path;
}

/**
 * Checks a folder prefix and returns it without a trailing `/`. `''` is the
 * whole storage. Listing and deleting treat a prefix as a folder: prefix
 * `job/chk-1` covers `job/chk-1` and `job/chk-1/…`, never `job/chk-10/…`.
 */
export function checkPrefix(prefix: string, operation: StorageOperation, uri: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed === '' ? '' : checkObjectPath(trimmed, operation, uri);
}

/** True when `path` is `prefix` itself or lies under it (folder semantics, see checkPrefix). */
export function isUnderPrefix(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** Joins checked segments; empty segments are dropped. */
export function joinPath(...segments: readonly string[]): string {
  return segments.filter((s) => s.length > 0).join('/');
}
