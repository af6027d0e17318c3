import type { FileSinkCommittable, FileWriterState } from '../committable.js';

/**
 * A part file being written: records are appended as text, buffered, and
 * written out (a local file) or uploaded (an S3 part) as the buffer fills.
 * Nothing of it is visible before its committable is committed.
 */
export interface InProgressPartFile {
  /** Appends `text` (`bytes` long in UTF-8). Returns a promise when it wrote out or uploaded a buffer: the next write waits for it. */
  write(text: string, bytes: number): void | Promise<void>;
  /** Makes the whole file durable and closed, and returns its committable (durable when this resolves). */
  closeForCommit(): Promise<FileSinkCommittable>;
  /** Drops the file, which no checkpoint holds (the writer closes without handing it over). Best effort, never throws. */
  discard(): Promise<void>;
}

/** What committing one committable came to. */
export type CommitOutcome =
  | { readonly kind: 'committed' }
  | { readonly kind: 'already-committed' }
  /** A transient failure (storage unreachable): commit it again with the next checkpoint. */
  | { readonly kind: 'retry'; readonly error: Error }
  /** It can never be committed (its data is gone, access is denied): the job fails. */
  | { readonly kind: 'failed'; readonly error: Error };

/** The storage a FileSink writes its part files to: a local folder or an S3 bucket. */
export interface PartFileStore {
  readonly kind: FileSinkCommittable['kind'];
  /** Checks the base path can be written to, failing with a FileSinkError that says why. */
  check(): Promise<void>;
  /** A new part file in bucket `bucketId` that will be named `finishedName` once committed. */
  open(bucketId: string, finishedName: string): InProgressPartFile;
  /** Makes a committable of this store's kind visible, idempotently. */
  commit(committable: FileSinkCommittable): Promise<CommitOutcome>;
  /**
   * Deletes (local) or aborts (S3) the part files the writers of `states`
   * began after the checkpoint the states are from. Best effort: what it
   * cannot remove stays invisible (see docs/connectors-files.md).
   */
  removeAbandoned(states: readonly FileWriterState[]): Promise<void>;
  close(): Promise<void>;
}

