/**
 * Sorts what the AWS SDK (or the socket under it) threw, as the checkpoint
 * storage does (and in its words): transient — no HTTP answer because the
 * connection was refused, reset or timed out, HTTP 5xx, throttling — or
 * final: a missing bucket, object or upload, access denied, an operation
 * the endpoint does not implement, anything else.
 */
export type S3FailureCode = 'NOT_FOUND' | 'NO_SUCH_BUCKET' | 'NO_SUCH_UPLOAD' | 'ACCESS_DENIED' | 'NOT_IMPLEMENTED' | 'UNAVAILABLE' | 'IO_ERROR';

export interface S3Failure {
  readonly transient: boolean;
  readonly code: S3FailureCode;
  /** One line: `HTTP 503 SlowDown: …` or `connect ECONNREFUSED 127.0.0.1:9000`. */
  readonly detail: string;
}

const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const TRANSIENT_NAMES = new Set([
  'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'InternalError', 'ServiceUnavailable',
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
  const http = status !== undefined ? `HTTP ${status} ${name}: ${message}` : message;

  if (socketCode !== undefined && TRANSIENT_SOCKET_CODES.has(socketCode)) return { transient: true, code: 'UNAVAILABLE', detail: message };
  if (name === 'NoSuchBucket') return { transient: false, code: 'NO_SUCH_BUCKET', detail: `bucket does not exist (${http})` };
  if (name === 'NoSuchUpload') return { transient: false, code: 'NO_SUCH_UPLOAD', detail: `the multipart upload does not exist (${http})` };
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return { transient: false, code: 'NOT_FOUND', detail: `not found (${http})` };
  if (status === 403 || DENIED_NAMES.has(name)) return { transient: false, code: 'ACCESS_DENIED', detail: `access denied (${http})` };
  if (name === 'CredentialsProviderError') {
    return { transient: false, code: 'ACCESS_DENIED', detail: `no S3 credentials: give withS3({ accessKey, secretKey }), RIVULET_S3_ACCESS_KEY and RIVULET_S3_SECRET_KEY, or the AWS environment (${message})` };
  }
  if (name === 'NotImplemented' || name === 'MethodNotAllowed' || status === 501 || status === 405) return { transient: false, code: 'NOT_IMPLEMENTED', detail: `the endpoint does not implement it (${http})` };
  if ((status !== undefined && (status >= 500 || status === 429)) || TRANSIENT_NAMES.has(name)) return { transient: true, code: 'UNAVAILABLE', detail: http };
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
