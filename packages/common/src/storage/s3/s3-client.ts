import { S3Client } from '@aws-sdk/client-s3';
import { checkS3Settings, type S3Settings } from './s3-settings.js';

export { describeEndpoint, type S3Settings } from './s3-settings.js';

/**
 * The S3 client every S3 storage uses. Options and why (docs/checkpoint-storage.md):
 * - `forcePathStyle` from `s3.path-style-access`: MinIO and s3rver address
 *   buckets by path (`http://host:9000/bucket/key`), not by host name.
 * - `requestChecksumCalculation` / `responseChecksumValidation: 'WHEN_REQUIRED'`:
 *   the SDK's default (checksums on every request) streams PutObject bodies
 *   with aws-chunked framing, which s3rver stores *as the content* — silent
 *   corruption. With WHEN_REQUIRED, bodies go as plain bytes; only operations
 *   that require a checksum (DeleteObjects) send one, as a header.
 * - `maxAttempts: 1`: the SDK does not retry; `withRetries` does, bounded by
 *   `s3.retry.deadline`, so the deadline is the only bound that matters.
 * - connection timeout 3 s, socket idle timeout 30 s: an endpoint that accepts
 *   and then stays silent is a transient failure, not a hang.
 * Credentials: `s3.access-key` + `s3.secret-key` when set, else the SDK's
 * default chain (environment, profile, web identity, instance metadata).
 */
export const S3_CONNECTION_TIMEOUT_MS = 3000;
export const S3_SOCKET_IDLE_TIMEOUT_MS = 30_000;

export function createS3Client(settings: S3Settings): S3Client {
  checkS3Settings(settings);
  const accessKey = settings['s3.access-key'];
  const secretKey = settings['s3.secret-key'];
  const endpoint = settings['s3.endpoint'];
  const agent = { keepAlive: true, maxSockets: 32 };
  return new S3Client({
    region: settings['s3.region'],
    ...(endpoint !== null ? { endpoint } : {}),
    forcePathStyle: settings['s3.path-style-access'],
    ...(accessKey !== null && secretKey !== null ? { credentials: { accessKeyId: accessKey, secretAccessKey: secretKey } } : {}),
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
