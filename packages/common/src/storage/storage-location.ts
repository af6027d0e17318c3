import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '../errors.js';

/**
 * Parses a storage root (`execution.checkpointing.dir`, a savepoint folder):
 *
 *   file:///abs/path     absolute folder
 *   file://rel/path      folder relative to the working directory (the default
 *                        `file://.rivulet/checkpoints` is one); `file://host/…` is
 *                        therefore never a host
 *   rel/path, /abs/path  a plain path, relative to the working directory
 *   s3://bucket[/prefix] a bucket and an optional key prefix
 *
 * Anything else with a scheme is a ConfigurationError naming `key`.
 */
export type StorageLocation =
  | { readonly kind: 'filesystem'; readonly root: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SUPPORTED = 'file:///absolute/path, file://relative/path, a plain path, or s3://bucket/prefix';

export function parseStorageLocation(dir: string, key = 'execution.checkpointing.dir', cwd = process.cwd()): StorageLocation {
  const fail = (why: string): never => {
    throw new ConfigurationError(`"${key}": ${why} (use ${SUPPORTED})`, { key });
  };
  const text = dir.trim();
  if (text === '') return fail('empty storage location');
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'filesystem', root: resolve(cwd, text) };
  if (scheme === 'file') return { kind: 'filesystem', root: fileRoot(text, cwd, fail) };
  if (scheme === 's3') return s3Location(text, fail);
  return fail(`unsupported scheme "${scheme}:" in ${JSON.stringify(dir)}`);
}

function fileRoot(text: string, cwd: string, fail: (why: string) => never): string {
  const rest = text.slice('file:'.length);
  if (rest.startsWith('///')) {
    try {
      return fileURLToPath(`file://${rest.slice(2)}`);
    } catch (err) {
      return fail(`not a valid file URL ${JSON.stringify(text)}: ${(err as Error).message}`);
    }
  }
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') return fail(`no folder in ${JSON.stringify(text)}`);
  return isAbsolute(path) ? resolve(path) : resolve(cwd, path);
}

function s3Location(text: string, fail: (why: string) => never): StorageLocation {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(text);
  const bucket = match?.[1] ?? '';
  if (!BUCKET.test(bucket)) {
    return fail(`${JSON.stringify(bucket)} in ${JSON.stringify(text)} is not a valid bucket name (3-63 characters of a-z, 0-9, ".", "-")`);
  }
  const prefix = (match?.[2] ?? '').replace(/\/+$/, '');
  if (prefix !== '' && prefix.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    fail(`key prefix ${JSON.stringify(prefix)} in ${JSON.stringify(text)} has an empty, "." or ".." segment`);
  }
  return { kind: 's3', bucket, prefix };
}
