import type { IncomingHttpHeaders } from 'node:http';

/**
 * Loads @rivulet/testing's recording S3 stand-in (recording-s3-endpoint.ts)
 * at run time, as s3rver.ts loads s3rver: @rivulet/testing depends on
 * @rivulet/common, so common's tests cannot reference it at build time.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly status: number;
}

export interface RecordingS3Endpoint {
  readonly endpoint: string;
  readonly requests: readonly RecordedRequest[];
  stored(path: string): Buffer | undefined;
  failNext(count: number): void;
  corruptDownloads: boolean;
  close(): Promise<void>;
}

const MODULE_URL = new URL('../../../../testing/dist/src/recording-s3-endpoint.js', import.meta.url);

export async function startRecordingS3Endpoint(): Promise<RecordingS3Endpoint> {
  const module = (await import(MODULE_URL.href)) as { startRecordingS3Endpoint(): Promise<RecordingS3Endpoint> };
  return module.startRecordingS3Endpoint();
}
