/**
 * What a FileSink's committer makes visible: one closed part file, durable
 * but not yet visible. Plain data (it is kept in checkpoints).
 *
 * - `local`: an fsynced hidden in-progress file and the name it gets.
 * - `s3`: a multipart upload whose every part is uploaded: completing it
 *   with these parts (numbers and ETags, in order) makes the object visible.
 */
export type FileSinkCommittable = LocalPartCommittable | S3PartCommittable;

export interface LocalPartCommittable {
  readonly version: 1;
  readonly kind: 'local';
  /** Absolute path of the hidden `.part-….inprogress.<uuid>` file. */
  readonly inProgressPath: string;
  /** Absolute path it is renamed to. */
  readonly finalPath: string;
  readonly size: number;
}

export interface S3PartCommittable {
  readonly version: 1;
  readonly kind: 's3';
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly parts: readonly { readonly partNumber: number; readonly etag: string }[];
  readonly size: number;
}

/**
 * A FileSink writer's state in a checkpoint: which writer it was and the
 * counter of the next part file it would have opened. Every part file of
 * that writer with a lower counter is in the checkpoint's committables (or
 * committed); one with this counter or higher was begun after the
 * checkpoint, so a writer restored from it deletes or aborts it.
 */
export interface FileWriterState {
  readonly version: 1;
  readonly writerId: string;
  readonly subtaskIndex: number;
  readonly nextCounter: number;
}
