import { AbortMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { FileWriterState } from '../../committable.js';
import { reason } from '../../file-sink-error.js';
import { parsePartFileName } from '../../writer/part-file-name.js';
import type { S3Calls } from './s3-calls.js';

/** An incomplete multipart upload. */
export interface PendingUpload {
  readonly key: string;
  readonly uploadId: string;
}

/** What a cleanup did: the uploads aborted, or why it could not look. */
export interface AbandonedCleanup {
  readonly removed: readonly string[];
  readonly skipped?: string;
}

/**
 * The uploads that the writers of `states` began after their checkpoint:
 * the part file name of the key names one of those writers with a counter
 * at or above the state's next counter. Uploads of other writers (live
 * subtasks, other jobs) and of the checkpoint's own part files are not.
 */
export function abandonedUploads(uploads: readonly PendingUpload[], states: readonly FileWriterState[]): PendingUpload[] {
  const nextCounter = new Map(states.map((state) => [state.writerId, state.nextCounter]));
  return uploads.filter((upload) => {
    const made = parsePartFileName(upload.key.slice(upload.key.lastIndexOf('/') + 1));
    const next = made === undefined ? undefined : nextCounter.get(made.writerId);
    return made !== undefined && next !== undefined && made.counter >= next;
  });
}

/**
 * Lists the incomplete uploads under the sink's prefix (ListMultipartUploads)
 * and aborts those `abandonedUploads` selects. Best effort: an endpoint that
 * does not implement listing or aborting (s3rver), or fails, leaves them —
 * they stay invisible, and a lifecycle rule removes them.
 */
export async function abortAbandonedUploads(calls: S3Calls, bucket: string, prefix: string, states: readonly FileWriterState[]): Promise<AbandonedCleanup> {
  if (states.length === 0) return { removed: [] };
  const uploads: PendingUpload[] = [];
  try {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await calls.call('ListMultipartUploads', `s3://${bucket}/${prefix}`, (signal) =>
        calls.client.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            ...(prefix === '' ? {} : { Prefix: `${prefix}/` }),
            ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
            ...(uploadIdMarker !== undefined ? { UploadIdMarker: uploadIdMarker } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      for (const upload of page.Uploads ?? []) if (upload.Key !== undefined && upload.UploadId !== undefined) uploads.push({ key: upload.Key, uploadId: upload.UploadId });
      const truncated = page.IsTruncated === true;
      keyMarker = truncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = truncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker !== undefined);
  } catch (err) {
    return { removed: [], skipped: reason(err) };
  }
  const removed: string[] = [];
  for (const upload of abandonedUploads(uploads, states)) {
    try {
      await calls.call('AbortMultipartUpload', `s3://${bucket}/${upload.key}`, (signal) =>
        calls.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }), { abortSignal: signal }),
      );
      removed.push(`s3://${bucket}/${upload.key}`);
    } catch (err) {
      return { removed, skipped: reason(err) };
    }
  }
  return { removed };
}
