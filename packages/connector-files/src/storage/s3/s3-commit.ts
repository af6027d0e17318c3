import { CompleteMultipartUploadCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { S3PartCommittable } from '../../committable.js';
import { FileSinkError } from '../../file-sink-error.js';
import type { CommitOutcome } from '../part-file-store.js';
import type { S3Calls } from './s3-calls.js';
import { classifyS3Error, type S3Failure } from './s3-errors.js';

const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/**
 * Commits an S3 part file: CompleteMultipartUpload with the committable's
 * parts. Idempotent by looking at the object when completing fails: keys
 * are unique per part file (the writer's uuid and counter), so an object at
 * the key with the committable's size is this upload, completed before (a
 * restore commits its checkpoint's uploads again; S3 then answers
 * NoSuchUpload, and s3rver an HTTP 500).
 *
 * Outcomes: completed -> committed; failed but the object is there ->
 * already committed; no object and the upload is gone (NoSuchUpload) ->
 * failed (aborted, e.g. by a lifecycle rule, before its commit: its records
 * are lost and the job fails, naming the upload); access denied, a missing
 * bucket -> failed; transient failures until the retry deadline -> retry
 * with the next checkpoint.
 */
export async function commitS3Part(calls: S3Calls, committable: S3PartCommittable): Promise<CommitOutcome> {
  const { bucket, key, uploadId, parts, size } = committable;
  const uri = `s3://${bucket}/${key}`;
  const started = Date.now();
  const deadline = started + calls.settings.retryDeadlineMs;
  let backoff = INITIAL_BACKOFF_MS;
  let lastTransient: S3Failure | undefined;
  for (let attempts = 1; ; attempts += 1) {
    const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    try {
      await calls.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
        }),
        { abortSignal: signal },
      );
      return { kind: 'committed' };
    } catch (err) {
      const existing = await objectSize(calls, bucket, key);
      if (existing === size) return { kind: 'already-committed' };
      if (existing !== undefined) {
        return { kind: 'failed', error: new FileSinkError(calls.sink, `${uri} has ${existing} bytes, not the ${size} bytes of upload ${uploadId}: another writer wrote the same key`) };
      }
      // An attempt cut by the deadline (an endpoint that accepts and never answers) is transient, as in S3Calls.call:
      // the commit is retried at the next checkpoint, not failed.
      const failure: S3Failure = signal.aborted
        ? (lastTransient ?? { transient: true, code: 'UNAVAILABLE', detail: `no answer within the retry deadline (${classifyS3Error(err).detail})` })
        : classifyS3Error(err);
      if (failure.transient) lastTransient = failure;
      const left = deadline - Date.now();
      if (failure.transient && left > 0) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(backoff, left)));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      const error = calls.failed('CompleteMultipartUpload', uri, failure, attempts, Date.now() - started, err);
      if (failure.transient) return { kind: 'retry', error };
      if (failure.code === 'NO_SUCH_UPLOAD' || failure.code === 'NOT_FOUND') {
        return {
          kind: 'failed',
          error: new FileSinkError(calls.sink, `multipart upload ${uploadId} of ${uri} no longer exists and the object was never completed: it was aborted (e.g. by a bucket lifecycle rule for incomplete uploads) before its checkpoint's commit (${failure.detail})`, { cause: err }),
        };
      }
      return { kind: 'failed', error };
    }
  }
}

/** The size of the object at the key, or undefined when there is none or it cannot be told (one attempt). */
async function objectSize(calls: S3Calls, bucket: string, key: string): Promise<number | undefined> {
  try {
    const out = await calls.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: AbortSignal.timeout(10_000) });
    return out.ContentLength ?? 0;
  } catch {
    return undefined;
  }
}
