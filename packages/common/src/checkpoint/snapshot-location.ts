/**
 * Where a snapshot (checkpoint or savepoint) lives, and the names inside it.
 *
 * Layout (DESIGN.md, "Checkpoints"):
 *   <execution.checkpointing.dir>/<job-id>/chk-<n>/_metadata
 *   <execution.checkpointing.dir>/<job-id>/chk-<n>/<operator-uid>/<subtask>/…
 *   <savepoint target dir>/savepoint-<job-id prefix>-<random>/_metadata (same inside)
 *
 * Contract: every state handle path in `_metadata` is relative to the
 * snapshot's folder (the folder holding `_metadata`), so a savepoint can be
 * moved or copied as a whole and stays restorable. Storage paths are
 * '/'-separated and relative to the storage root.
 */

/** Name of the metadata file; written last, so a folder without it holds no checkpoint. */
export const METADATA_FILE_NAME = '_metadata';

/**
 * A snapshot's folder. `root` null means the checkpoint storage
 * (`execution.checkpointing.dir`); otherwise it is the savepoint target
 * directory URI the user chose (file:///…, s3://…), opened as its own storage.
 */
export interface SnapshotLocation {
  readonly root: string | null;
  /** Folder under the root, no leading or trailing '/': `<job-id>/chk-<n>` or `savepoint-…`. */
  readonly folder: string;
}

/** `<job-id>/chk-<n>`: the folder of checkpoint n, relative to the checkpoint storage. */
export function checkpointFolderOf(jobId: string, checkpointId: number): string {
  return `${jobId}/chk-${checkpointId}`;
}

/** Path of `_metadata` inside `folder`. */
export function metadataPathOf(folder: string): string {
  return folder === '' ? METADATA_FILE_NAME : `${folder}/${METADATA_FILE_NAME}`;
}

/**
 * Folder of one subtask's state files inside a snapshot folder:
 * `<operator-uid>/<subtask>`. The uid is URI-encoded (uids are user strings
 * and may contain '/'); TaskManagers write under it, handles point into it.
 */
export function subtaskStateFolderOf(operatorId: string, subtaskIndex: number): string {
  return `${encodeURIComponent(operatorId)}/${subtaskIndex}`;
}

/** Flink's savepoint folder name: `savepoint-<first 6 chars of the job id>-<random>`. */
export function savepointFolderName(jobId: string, random: string): string {
  return `savepoint-${jobId.slice(0, 6)}-${random}`;
}

/**
 * The external path of a snapshot, as users see it (REST `external_path`,
 * `rivulet savepoint` output): `<root>/<folder>`, with `checkpointRoot`
 * standing in for a null root.
 */
export function externalPathOf(location: SnapshotLocation, checkpointRoot: string): string {
  const root = (location.root ?? checkpointRoot).replace(/\/+$/, '');
  return location.folder === '' ? root : `${root}/${location.folder}`;
}

/**
 * True when `path` is a safe relative storage path: non-empty '/'-separated
 * segments, none empty, '.' or '..', no backslash, no leading '/'.
 */
export function isRelativeStoragePath(path: string): boolean {
  if (path.length === 0 || path.includes('\\')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
