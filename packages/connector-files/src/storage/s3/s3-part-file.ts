import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import type { S3PartCommittable } from '../../committable.js';
import { FileSinkError } from '../../file-sink-error.js';
import type { InProgressPartFile } from '../part-file-store.js';
import type { S3Calls } from './s3-calls.js';
import { MAX_S3_PARTS } from './s3-options.js';

/**
 * A part file as an S3 multipart upload. Records are buffered in memory;
 * when the buffer reaches the part size (5 MiB or more) it is uploaded as
 * the next part (UploadPart), the upload being created
 * (CreateMultipartUpload) with the first part. `closeForCommit` uploads the
 * rest as the last part, which may be smaller (the only part, for a small
 * file): the committable names the upload and every part's number and
 * ETag, all CompleteMultipartUpload needs. Until then nothing is visible.
 * `discard` aborts the upload (best effort: an endpoint without
 * AbortMultipartUpload leaves it to the bucket's lifecycle rule).
 */
export class S3PartFile implements InProgressPartFile {
  private readonly uri: string;
  private uploadId: string | undefined;
  private readonly parts: { partNumber: number; etag: string }[] = [];
  private chunks: string[] = [];
  private buffered = 0;
  private size = 0;

  constructor(
    private readonly calls: S3Calls,
    private readonly bucket: string,
    private readonly key: string,
  ) {
    this.uri = `s3://${bucket}/${key}`;
  }

  write(text: string, bytes: number): void | Promise<void> {
    this.chunks.push(text);
    this.buffered += bytes;
    this.size += bytes;
    if (this.buffered >= this.calls.settings.partSize) return this.uploadBuffer();
  }

  async closeForCommit(): Promise<S3PartCommittable> {
    if (this.buffered > 0 || this.parts.length === 0) await this.uploadBuffer();
    return { version: 1, kind: 's3', bucket: this.bucket, key: this.key, uploadId: this.uploadId!, parts: [...this.parts], size: this.size };
  }

  async discard(): Promise<void> {
    this.chunks = [];
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    if (uploadId === undefined) return;
    await this.calls.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId }), { abortSignal: AbortSignal.timeout(5000) }).catch(() => undefined);
  }

  private async uploadBuffer(): Promise<void> {
    const body = Buffer.from(this.chunks.length === 1 ? this.chunks[0]! : this.chunks.join(''), 'utf8');
    this.chunks = [];
    this.buffered = 0;
    const uploadId = this.uploadId ?? (this.uploadId = await this.createUpload());
    const partNumber = this.parts.length + 1;
    if (partNumber > MAX_S3_PARTS) {
      throw new FileSinkError(this.calls.sink, `${this.uri} would need more than ${MAX_S3_PARTS} parts of ${this.calls.settings.partSize} bytes (S3's limit): lower the rolling policy's max part size or raise withS3({ partSize })`);
    }
    const out = await this.calls.call('UploadPart', this.uri, (signal) =>
      this.calls.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.byteLength }), { abortSignal: signal }),
    );
    if (out.ETag === undefined) throw new FileSinkError(this.calls.sink, `UploadPart ${this.uri} (part ${partNumber}): the endpoint answered without an ETag`);
    this.parts.push({ partNumber, etag: out.ETag });
  }

  private async createUpload(): Promise<string> {
    const out = await this.calls.call('CreateMultipartUpload', this.uri, (signal) =>
      this.calls.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key }), { abortSignal: signal }),
    );
    if (out.UploadId === undefined) throw new FileSinkError(this.calls.sink, `CreateMultipartUpload ${this.uri}: the endpoint answered without an upload id`);
    return out.UploadId;
  }
}
