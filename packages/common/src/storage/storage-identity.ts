import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseStorageLocation } from './storage-location.js';

/** A storage root as configured and in the one form two processes can compare. */
export interface StorageIdentity {
  /** As written in the configuration (`execution.checkpointing.dir`). */
  readonly configured: string;
  /**
   * `file://<absolute path, symlinks resolved>` or `s3://<bucket>[/<prefix>]`:
   * the same folder or bucket/prefix written two ways (relative or absolute,
   * `file://` or a plain path, a trailing `/`, `.` segments, a symlinked
   * folder) gives the same text.
   */
  readonly normalized: string;
}

/**
 * Where `dir` really is, seen from a process in `cwd`. A relative path is
 * resolved in `cwd`, so two processes agree only when it names the same
 * folder for both. Throws the ConfigurationError of parseStorageLocation.
 */
export function storageIdentity(dir: string, key = 'execution.checkpointing.dir', cwd = process.cwd()): StorageIdentity {
  const location = parseStorageLocation(dir, key, cwd);
  const normalized = location.kind === 's3'
    ? `s3://${location.bucket}${location.prefix === '' ? '' : `/${location.prefix}`}`
    : `file://${realFolder(location.root)}`;
  return { configured: dir, normalized };
}

/** The path with symlinks resolved as far as it exists (the folder may not be created yet). */
function realFolder(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realFolder(parent), basename(path));
}
