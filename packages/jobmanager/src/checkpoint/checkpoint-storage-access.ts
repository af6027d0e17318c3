/**
 * The storage operations the checkpoint coordinator needs — a subset of
 * `CheckpointStorage` (packages/common/src/storage), which satisfies it as it
 * is; defined here so the coordinator and its tests need no backend. Paths
 * are '/'-separated and relative to the storage's root.
 */
import {
  CheckpointMetadataError,
  decodeMetadata,
  errorMessage,
  metadataPathOf,
  type CheckpointMetadata,
  type SnapshotLocation,
} from '@rivulet/common';

export interface CheckpointStorageAccess {
  /** Writes `data` at `path`, replacing any object there; durable when the promise resolves (its value is ignored). */
  put(path: string, data: Uint8Array): Promise<unknown>;
  /** Reads the object at `path`; rejects when it does not exist. */
  get(path: string): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
  /**
   * Deletes the folder `path` and everything under it; resolves when nothing
   * is left (also when nothing was there). With entropy injection (s3.entropy.key)
   * the adapter must cover the injected copies too: pass
   * `<entropyKey>/<path>` (see checkpointDiscardPrefix) to CheckpointStorage.
   */
  deleteRecursive(path: string): Promise<unknown>;
}

/** The storages snapshots of one job go to. */
export interface SnapshotStorages {
  /** Rooted at execution.checkpointing.dir. */
  readonly checkpoints: CheckpointStorageAccess;
  /** execution.checkpointing.dir as users write it: the prefix of external paths. */
  readonly checkpointRoot: string;
  /** Opens the storage rooted at a savepoint target directory (file:///…, s3://…); throws for an unusable one. */
  savepoints(targetDirectory: string): CheckpointStorageAccess;
}

/** The storage `location` lives in. */
export function storageOf(storages: SnapshotStorages, location: SnapshotLocation): CheckpointStorageAccess {
  return location.root === null ? storages.checkpoints : storages.savepoints(location.root);
}

/**
 * Reads and validates the `_metadata` of the snapshot in `folder`.
 * `displayFolder` is the folder as the user knows it (an external path), used
 * in errors. Throws CheckpointMetadataError naming the path when the folder
 * has no metadata (a checkpoint that never completed: never restored from),
 * when it cannot be read, or when it is corrupted.
 */
export async function readCheckpointMetadata(
  storage: CheckpointStorageAccess,
  folder: string,
  displayFolder: string,
): Promise<CheckpointMetadata> {
  const path = metadataPathOf(folder);
  const shown = metadataPathOf(displayFolder);
  let present: boolean;
  try {
    present = await storage.exists(path);
  } catch (err) {
    throw new CheckpointMetadataError(shown, `cannot be read: ${errorMessage(err)}`, { cause: err });
  }
  if (!present) {
    throw new CheckpointMetadataError(
      shown,
      `does not exist: ${displayFolder} is not a completed checkpoint or savepoint (metadata is written last)`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await storage.get(path);
  } catch (err) {
    throw new CheckpointMetadataError(shown, `cannot be read: ${errorMessage(err)}`, { cause: err });
  }
  return decodeMetadata(bytes, shown);
}
