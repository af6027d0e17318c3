/**
 * Where checkpoints, savepoints and job bundles are kept. The coordinator and
 * the tasks talk to this interface; `FileSystemCheckpointStorage` and
 * `S3CheckpointStorage` are how.
 *
 * Contracts every backend keeps (the conformance suite in
 * test/storage/conformance.ts checks them against both):
 * - Paths are relative to the storage root (`<job-id>/chk-7/_metadata`) and
 *   checked by storage-path.ts; nothing escapes the root.
 * - `put` is atomic: a reader (`get`, `getRange`, `exists`, `list`) sees the
 *   old object, no object, or the whole new one — never a partial one.
 * - Listing is by full prefix and recursive, never by delimiter (s3rver's
 *   delimiter listing drops prefixes that hold only deeper keys).
 * - Every failure is a `CheckpointStorageError` naming the full URI; a missing
 *   object is code `NOT_FOUND`, distinct from every other failure.
 * - Every call is bounded: by `deadlineMs` (S3 default `s3.retry.deadline`)
 *   and by the caller's `signal`.
 */
export interface StorageCallOptions {
  /** Aborts the call; it then fails with code `ABORTED`. */
  readonly signal?: AbortSignal;
  /** Bound on the whole call including retries, in ms; overrides the backend's default. */
  readonly deadlineMs?: number;
}

export interface PutOptions extends StorageCallOptions {
  /**
   * This object is a data file: replace the entropy marker in `path` (see
   * `entropyKey`) by random characters. Without it the marker is removed.
   */
  readonly entropy?: boolean;
}

export interface StoredObject {
  /** Storage-relative path. */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
}

export type CheckpointStorageKind = 'filesystem' | 's3';

export interface CheckpointStorage {
  readonly kind: CheckpointStorageKind;
  /** The root as a URI: `file:///abs/dir` or `s3://bucket/prefix`. */
  readonly rootUri: string;
  /**
   * The marker that `put(…, { entropy: true })` replaces by random characters
   * (`s3.entropy.key`), or null when this storage injects no entropy (always
   * null on the filesystem). Pass it to `subtaskStatePath`.
   */
  readonly entropyKey: string | null;

  /**
   * Stores `bytes` under `path` atomically, replacing any previous object.
   * Resolves with the path actually written — it differs from `path` only when
   * the entropy marker was replaced or removed; record that one in metadata.
   */
  put(path: string, bytes: Uint8Array, options?: PutOptions): Promise<string>;

  /** The whole object. Fails with `NOT_FOUND` if it does not exist. */
  get(path: string, options?: StorageCallOptions): Promise<Buffer>;

  /**
   * Exactly `length` bytes from `offset`. Fails with `NOT_FOUND` if the object
   * does not exist and `INVALID_RANGE` if it is shorter than `offset + length`.
   */
  getRange(path: string, offset: number, length: number, options?: StorageCallOptions): Promise<Buffer>;

  /** Whether an object (not a folder) exists at `path`. */
  exists(path: string, options?: StorageCallOptions): Promise<boolean>;

  /**
   * Every object at or under the folder `prefix` (`''` = everything), at any
   * depth, sorted by path. `job/chk-1` does not match `job/chk-10/…`.
   */
  list(prefix: string, options?: StorageCallOptions): Promise<StoredObject[]>;

  /** Removes one object; a missing object is not an error. */
  delete(path: string, options?: StorageCallOptions): Promise<void>;

  /**
   * Removes every object at or under the folder `prefix` and resolves with how
   * many were removed. A prefix containing the entropy marker also removes the
   * entropy-injected copies (`<random>/…` in place of the marker); that lists
   * everything under the part of the prefix before the marker.
   */
  deleteRecursive(prefix: string, options?: StorageCallOptions): Promise<number>;

  /** The full URI of `path`, for messages (`s3://bucket/prefix/<path>`). */
  uri(path: string): string;

  /** Releases connections. The storage must not be used afterwards. */
  close(): Promise<void>;
}
