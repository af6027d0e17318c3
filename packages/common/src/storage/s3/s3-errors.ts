import type { StorageErrorCode } from '../errors.js';

/**
 * Sorts what the AWS SDK (or the socket under it) threw into transient —
 * worth another attempt — and final. Transient: no HTTP answer because the
 * connection was refused, reset or timed out; HTTP 5xx; throttling (429,
 * SlowDown). Final at once: 404 (NOT_FOUND / NO_SUCH_BUCKET), 403
 * (ACCESS_DENIED), 416 (INVALID_RANGE), missing credentials, anything else.
 */
export interface S3Failure {
  readonly transient: boolean;
  readonly code: StorageErrorCode;
  /** One line: `HTTP 503 SlowDown: …` or `connect ECONNREFUSED 127.0.0.1:9000`. */
  readonly detail: string;
}

const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_TRUNCATED_BODY',
]);

const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalError',
  'ServiceUnavailable',
]);

const DENIED_NAMES = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken']);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number };
}

export function classifyS3Error(err: unknown): S3Failure {
  const e = (err ?? {}) as SdkLikeError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const socketCode = socketCodeOf(e);
  const message = (e.message ?? String(err)) || name;
  const http = status !== undefined ? `HTTP ${status} ${name}: ${message}` : `${message}`;

  if (socketCode !== undefined && TRANSIENT_SOCKET_CODES.has(socketCode)) return { transient: true, code: 'UNAVAILABLE', detail: message };
  if (name === 'NoSuchBucket') return { transient: false, code: 'NO_SUCH_BUCKET', detail: `bucket does not exist (${http})` };
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return { transient: false, code: 'NOT_FOUND', detail: 'not found' };
  if (name === 'InvalidRange' || status === 416) return { transient: false, code: 'INVALID_RANGE', detail: http };
  if (status === 403 || DENIED_NAMES.has(name)) return { transient: false, code: 'ACCESS_DENIED', detail: `access denied (${http})` };
  if (name === 'CredentialsProviderError') {
    return { transient: false, code: 'ACCESS_DENIED', detail: `no S3 credentials: set s3.access-key and s3.secret-key or the AWS environment (${message})` };
  }
  if ((status !== undefined && (status >= 500 || status === 429)) || TRANSIENT_NAMES.has(name)) {
    return { transient: true, code: 'UNAVAILABLE', detail: http };
  }
  return { transient: false, code: 'IO_ERROR', detail: http };
}

/** The errno-style code of a socket error, looking inside AggregateError (happy eyeballs). */
function socketCodeOf(e: SdkLikeError): string | undefined {
  if (typeof e.code === 'string') return e.code;
  for (const inner of e.errors ?? []) {
    const code = (inner as SdkLikeError | undefined)?.code;
    if (typeof code === 'string') return code;
  }
  if (e.message === 'socket hang up') return 'ECONNRESET';
  return undefined;
}
