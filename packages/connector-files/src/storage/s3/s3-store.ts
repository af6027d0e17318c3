import { HeadBucketCommand } from '@aws-sdk/client-s3';
import type { FileSinkCommittable, FileWriterState } from '../../committable.js';
import type { CommitOutcome, InProgressPartFile, PartFileStore } from '../part-file-store.js';
import { abortAbandonedUploads, type AbandonedCleanup } from './abandoned-uploads.js';
import { S3CallError, S3Calls } from './s3-calls.js';
import { createS3Client } from './s3-client.js';
import { commitS3Part } from './s3-commit.js';
import type { S3Settings } from './s3-options.js';
import { S3PartFile } from './s3-part-file.js';

/** Part files under a key prefix of an S3 bucket (`s3://bucket/prefix`): multipart uploads, committed by completing them. */
export class S3Store implements PartFileStore {
  readonly kind = 's3' as const;
  private readonly calls: S3Calls;
  /** The last cleanup's report (tests). */
  lastCleanup: AbandonedCleanup | undefined;

  constructor(
    sink: string,
    private readonly bucket: string,
    private readonly prefix: string,
    settings: S3Settings,
  ) {
    this.calls = new S3Calls(createS3Client(settings), settings, sink);
  }

  /** The bucket exists and the credentials may use it (HeadBucket). */
  async check(): Promise<void> {
    try {
      await this.calls.call('HeadBucket', `s3://${this.bucket}`, (signal) => this.calls.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: signal }));
    } catch (err) {
      if (err instanceof S3CallError && (err.code === 'NOT_FOUND' || err.code === 'NO_SUCH_BUCKET')) {
        throw new S3CallError(this.calls.sink, `bucket "${this.bucket}" does not exist at ${this.calls.target}`, 'NO_SUCH_BUCKET', false, { cause: err });
      }
      throw err;
    }
  }

  open(bucketId: string, finishedName: string): InProgressPartFile {
    const key = [this.prefix, bucketId, finishedName].filter((part) => part !== '').join('/');
    return new S3PartFile(this.calls, this.bucket, key);
  }

  commit(committable: FileSinkCommittable): Promise<CommitOutcome> {
    if (committable.kind !== 's3') throw new Error(`a committable of kind ${committable.kind} given to the S3 store`);
    return commitS3Part(this.calls, committable);
  }

  async removeAbandoned(states: readonly FileWriterState[]): Promise<void> {
    this.lastCleanup = await abortAbandonedUploads(this.calls, this.bucket, this.prefix, states);
  }

  async close(): Promise<void> {
    this.calls.client.destroy();
  }
}
