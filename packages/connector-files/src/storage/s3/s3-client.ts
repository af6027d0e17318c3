import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from './s3-options.js';

export const S3_CONNECTION_TIMEOUT_MS = 3000;
export const S3_SOCKET_IDLE_TIMEOUT_MS = 30_000;

/**
 * The FileSink's S3 client, with the settings of the checkpoint storage's
 * (docs/checkpoint-storage.md), for the same reasons:
 * - `forcePathStyle`: MinIO and s3rver address buckets by path;
 * - checksums only WHEN_REQUIRED: otherwise the SDK streams part bodies
 *   with aws-chunked framing, which s3rver stores as the content;
 * - `maxAttempts: 1`: the sink retries transient failures itself, bounded by
 *   its retry deadline (S3Calls);
 * - 3 s to connect, 30 s of socket silence: an endpoint that accepts and
 *   then hangs is a transient failure, not a hang.
 */
export function createS3Client(settings: S3Settings): S3Client {
  const agent = { keepAlive: true, maxSockets: 32 };
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.pathStyleAccess,
    ...(settings.credentials !== undefined ? { credentials: settings.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: S3_CONNECTION_TIMEOUT_MS,
      socketTimeout: S3_SOCKET_IDLE_TIMEOUT_MS,
      httpAgent: agent,
      httpsAgent: agent,
    },
  });
}
