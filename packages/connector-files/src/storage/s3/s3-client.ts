import { S3Client } from '@aws-sdk/client-s3';
import type { S3ChecksumMode, S3Settings } from './s3-options.js';
import { logSdkRequests } from './sdk-request-log.js';

export const S3_CONNECTION_TIMEOUT_MS = 3000;
export const S3_SOCKET_IDLE_TIMEOUT_MS = 30_000;
/** Attempts the SDK makes within one attempt of S3Calls (its own default, set so that AWS_MAX_ATTEMPTS cannot change it). */
export const S3_SDK_MAX_ATTEMPTS = 3;

/**
 * The FileSink's S3 client, with the settings of the checkpoint storage's
 * (docs/checkpoint-storage.md), for the same reasons:
 * - `forcePathStyle`: MinIO and s3rver address buckets by path;
 * - integrity checksums as the SDK does by default (a CRC32 with every part,
 *   checked by S3 and MinIO before they store it), unless
 *   `checksumRequest` / `checksumResponse` say 'when-required' (s3rver in
 *   tests stores aws-chunked framing as the content);
 * - `maxAttempts: 3`, standard retry mode: the SDK retries throttling, 5xx
 *   and dropped connections with a short backoff inside each attempt of
 *   S3Calls, which goes on after it gives up; the sink's retry deadline
 *   bounds both (the SDK's backoff ends when the call's signal aborts);
 * - 3 s to connect, 30 s of socket silence: an endpoint that accepts and
 *   then hangs is a transient failure, not a hang.
 */
export function createS3Client(settings: S3Settings): S3Client {
  const agent = { keepAlive: true, maxSockets: 32 };
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.pathStyleAccess,
    ...(settings.credentials !== undefined ? { credentials: settings.credentials } : {}),
    requestChecksumCalculation: sdkChecksumMode(settings.checksumRequest),
    responseChecksumValidation: sdkChecksumMode(settings.checksumResponse),
    retryMode: 'standard',
    maxAttempts: S3_SDK_MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: S3_CONNECTION_TIMEOUT_MS,
      socketTimeout: S3_SOCKET_IDLE_TIMEOUT_MS,
      httpAgent: agent,
      httpsAgent: agent,
    },
  });
  logSdkRequests(client); // for S3Calls: the requests of each attempt and their failures
  return client;
}

function sdkChecksumMode(mode: S3ChecksumMode): 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' {
  return mode === 'when-required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
}
