/**
 * The one error type of checkpoint storage. Every message names the full URI
 * of the object or prefix and the operation that failed; `code` lets callers
 * tell "not found" (a checkpoint that does not exist) from everything else
 * (storage down, access denied, …) without parsing text.
 */
export type StorageErrorCode =
  /** The object does not exist. */
  | 'NOT_FOUND'
  /** A byte range reaches past the end of the object. */
  | 'INVALID_RANGE'
  /** The bucket does not exist (S3). Not retried. */
  | 'NO_SUCH_BUCKET'
  /** Credentials refused or missing permission (HTTP 403). Not retried. */
  | 'ACCESS_DENIED'
  /** The storage kept failing transiently (connection refused/reset, 5xx, throttling) until the deadline. */
  | 'UNAVAILABLE'
  /** The call's deadline passed while an attempt was still running. */
  | 'TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** A path is not a valid storage-relative path (a bug in the caller). */
  | 'INVALID_PATH'
  /** Any other failure (disk full, permission on a local folder, unexpected S3 answer). */
  | 'IO_ERROR';

export type StorageOperation = 'put' | 'get' | 'getRange' | 'exists' | 'list' | 'delete' | 'deleteRecursive';

export interface StorageErrorDetails {
  readonly cause?: unknown;
  /** Attempts made (S3 retries); 1 when the first failure was final. */
  readonly attempts?: number;
}

export class CheckpointStorageError extends Error {
  override readonly name = 'CheckpointStorageError';
  readonly attempts: number;

  /** Message: `<operation> <uri> failed: <detail>`. */
  constructor(
    readonly code: StorageErrorCode,
    readonly operation: StorageOperation,
    readonly uri: string,
    detail: string,
    details: StorageErrorDetails = {},
  ) {
    super(`${operation} ${uri} failed: ${detail}`, { cause: details.cause });
    this.attempts = details.attempts ?? 1;
  }

  /** Process exit code a CLI uses when this error ends it (a job or cluster error). */
  get exitCode(): 1 {
    return 1;
  }
}

/** True when `err` says the object does not exist (and nothing worse). */
export function isStorageNotFound(err: unknown): boolean {
  return err instanceof CheckpointStorageError && err.code === 'NOT_FOUND';
}
