import type { CheckpointStorage } from '@rivulet/common/task-runtime';

/**
 * The location key of a state file: its full URI in checkpoint storage.
 * `path` is as recorded in the handle: relative to `folder`, or to the
 * storage root when `rootRelative`. Equal for the writer (storage root +
 * `<job>/chk-<n>`) and for a restore naming the same file another way
 * (a retained checkpoint's folder as its root).
 */
export function stateFileLocation(storage: CheckpointStorage, folder: string, path: string, rootRelative: boolean): string {
  return storage.uri(rootRelative || folder === '' ? path : `${folder}/${path}`);
}
