import type { CallBudget } from '../call-budget.js';
import { CheckpointStorageError, type StorageErrorCode, type StorageOperation } from '../errors.js';

/**
 * Maps what node:fs threw to a CheckpointStorageError. A missing file or a
 * folder where an object was expected is NOT_FOUND; permission problems are
 * ACCESS_DENIED; an abort is ABORTED or TIMEOUT by which budget fired.
 */
export function fileSystemError(err: unknown, operation: StorageOperation, uri: string, budget: CallBudget): CheckpointStorageError {
  if (err instanceof CheckpointStorageError) return err;
  if (budget.abortedBy === 'caller') return new CheckpointStorageError('ABORTED', operation, uri, 'aborted by the caller', { cause: err });
  if (budget.abortedBy === 'deadline') {
    return new CheckpointStorageError('TIMEOUT', operation, uri, `deadline of ${budget.deadlineMs} ms passed`, { cause: err });
  }
  const errno = err as NodeJS.ErrnoException;
  let [code, what] = describe(errno.code);
  if (code === 'NOT_FOUND' && (operation === 'put' || operation === 'deleteRecursive')) {
    [code, what] = ['IO_ERROR', 'a file stands where a folder of the path should be'];
  }
  return new CheckpointStorageError(code, operation, uri, `${what} (${errno.code ?? errno.name}: ${errno.message})`, { cause: err });
}

function describe(errno: string | undefined): [StorageErrorCode, string] {
  switch (errno) {
    case 'ENOENT':
    case 'ENOTDIR':
      return ['NOT_FOUND', 'not found'];
    case 'EISDIR':
      return ['NOT_FOUND', 'is a folder, not an object'];
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return ['ACCESS_DENIED', 'permission denied'];
    case 'ENOSPC':
    case 'EDQUOT':
      return ['IO_ERROR', 'no space left'];
    default:
      return ['IO_ERROR', 'file system error'];
  }
}
