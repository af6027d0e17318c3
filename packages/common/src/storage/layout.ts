import { joinPath } from './storage-path.js';

/**
 * Where things live in checkpoint storage (paths relative to the root given
 * by `execution.checkpointing.dir`):
 *
 *   <job-id>/chk-<n>/_metadata                         written last: a checkpoint without it does not exist
 *   <job-id>/chk-<n>/<operator-uid>/<subtask>/state    one file per subtask, key groups at offsets (uid URI-encoded)
 *   <entropy>/<job-id>/chk-<n>/<operator-uid>/<subtask>/state   the same with `s3.entropy.key` set
 *   <job-id>/bundle/<file>                             the job bundle
 *
 * A savepoint is its own storage rooted at the savepoint folder:
 *
 *   _metadata                                          refers to files by paths relative to the folder
 *   <operator-uid>/<file>                              state files; never entropy-injected
 *
 * so the folder can be moved or copied and still restores.
 */
export const METADATA_FILE = '_metadata';

/** Job ids and file names become path segments: no `/`, `\`, NUL, `.` or `..`. */
function segment(what: string, value: string): string {
  if (value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) {
    throw new RangeError(`${what} ${JSON.stringify(value)} cannot be a storage path segment`);
  }
  return value;
}

/**
 * Operator uids are user strings and may hold `/`: URI-encoded, as
 * checkpoint/snapshot-location.ts (`subtaskStateFolderOf`) does.
 */
function operatorSegment(operatorUid: string): string {
  return segment('operator uid', encodeURIComponent(operatorUid));
}

function nonNegativeInteger(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  return value;
}

/** `<job-id>/chk-<n>`: the checkpoint's own folder (metadata and non-entropy files). */
export function checkpointPath(jobId: string, checkpointId: number): string {
  return joinPath(segment('job id', jobId), `chk-${nonNegativeInteger('checkpoint id', checkpointId)}`);
}

/** `<job-id>/chk-<n>/_metadata`. */
export function metadataPath(jobId: string, checkpointId: number): string {
  return joinPath(checkpointPath(jobId, checkpointId), METADATA_FILE);
}

/**
 * `<job-id>/chk-<n>/<operator-uid>/<subtask>/state`, with `entropyKey` (the
 * storage's `entropyKey`) in front when given: store it with
 * `put(…, { entropy: true })` and record the path `put` returns.
 */
export function subtaskStatePath(
  jobId: string,
  checkpointId: number,
  operatorUid: string,
  subtaskIndex: number,
  entropyKey?: string | null,
): string {
  return joinPath(
    entropyKey ?? '',
    checkpointPath(jobId, checkpointId),
    operatorSegment(operatorUid),
    String(nonNegativeInteger('subtask index', subtaskIndex)),
    'state',
  );
}

/**
 * The prefix that covers every file of checkpoint `n`, entropy-injected ones
 * included: give it to `deleteRecursive` to drop the checkpoint, files and all.
 */
export function checkpointDiscardPrefix(jobId: string, checkpointId: number, entropyKey?: string | null): string {
  return joinPath(entropyKey ?? '', checkpointPath(jobId, checkpointId));
}

/** `<job-id>/chk-` + n parsed back; null for anything else. */
export function parseCheckpointFolder(name: string): number | null {
  const match = /^chk-(\d+)$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** `<job-id>/bundle/<file>`. */
export function jobBundlePath(jobId: string, fileName: string): string {
  return joinPath(segment('job id', jobId), 'bundle', segment('bundle file name', fileName));
}

/** `_metadata` at the root of a savepoint storage. */
export const SAVEPOINT_METADATA_PATH = METADATA_FILE;

/** `<operator-uid>/<file>` inside a savepoint: relative to the savepoint folder, so the folder can move. */
export function savepointFilePath(operatorUid: string, fileName: string): string {
  return joinPath(operatorSegment(operatorUid), segment('savepoint file name', fileName));
}
