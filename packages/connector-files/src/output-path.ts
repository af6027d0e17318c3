import { fileURLToPath } from 'node:url';
import { FileSinkError } from './file-sink-error.js';

/** Where a FileSink writes: a folder on the TaskManagers' file system, or a key prefix in an S3 bucket. */
export type OutputPath =
  | { readonly kind: 'local'; readonly uri: string; readonly folder: string }
  | { readonly kind: 's3'; readonly uri: string; readonly bucket: string; readonly prefix: string };

/** S3's rules for bucket names (3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ACCEPTED = 'use s3://bucket/prefix or file:///absolute/folder';

/**
 * Parses a FileSink's base path. Accepted: `s3://bucket[/prefix]` (the prefix
 * without leading or trailing `/`) and `file:///absolute/folder` (no host, no
 * query). Anything else — another scheme, a relative or scheme-less path — is
 * refused with a FileSinkError naming the path and the accepted forms.
 */
export function parseOutputPath(path: unknown): OutputPath {
  if (typeof path !== 'string' || path === '') throw new FileSinkError(String(path), `no base path given: ${ACCEPTED}`);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(path)?.[1]?.toLowerCase();
  if (scheme === 's3') return parseS3Path(path);
  if (scheme === 'file') return parseFilePath(path);
  const why = scheme === undefined ? 'has no scheme' : `has the scheme "${scheme}:", which the FileSink does not write to`;
  throw new FileSinkError(path, `the base path ${why}: ${ACCEPTED}`);
}

function parseS3Path(path: string): OutputPath {
  const match = /^s3:\/\/([^/?#]*)(?:\/([^?#]*))?$/i.exec(path);
  const bucket = match?.[1] ?? '';
  if (!match || !BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new FileSinkError(path, `"${bucket}" is not an S3 bucket name (3 to 63 characters: a-z, 0-9, dots and hyphens): ${ACCEPTED}`);
  }
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  if (prefix !== '' && prefix.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new FileSinkError(path, 'the key prefix has an empty, "." or ".." segment');
  }
  return { kind: 's3', uri: prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`, bucket, prefix };
}

function parseFilePath(path: string): OutputPath {
  let url: URL;
  try {
    url = new URL(path);
  } catch {
    throw new FileSinkError(path, `not a file URL: ${ACCEPTED}`);
  }
  if (url.host !== '') throw new FileSinkError(path, `a file URL names no host (file:///absolute/folder, three slashes), not "${url.host}"`);
  if (url.search !== '' || url.hash !== '') throw new FileSinkError(path, 'a file URL has no query or fragment');
  const folder = fileURLToPath(url).replace(/(?<=.)\/+$/, '');
  return { kind: 'local', uri: `file://${folder}`, folder };
}
