import { S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { ConfigurationError, errorMessage } from '../../errors.js';
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
 * TLS: an https:// endpoint is verified against the system's CAs and, with
 * internal TLS on, the cluster CA too (a MinIO with a certificate of the
 * cluster CA; docs/security.md).
 */
export const S3_CONNECTION_TIMEOUT_MS = 3000;
export const S3_SOCKET_IDLE_TIMEOUT_MS = 30_000;

/** The system's CAs plus the cluster CA, for an https:// endpoint with internal TLS on; else undefined (Node's defaults). */
function trustedCas(settings: S3Settings): string[] | undefined {
  const endpoint = settings['s3.endpoint'];
  const caFile = settings['security.ssl.internal.ca'];
  if (endpoint === null || !endpoint.startsWith('https://') || settings['security.ssl.internal.enabled'] !== true || caFile === null || caFile === undefined) return undefined;
  try {
    return [...rootCertificates, readFileSync(caFile, 'utf8')];
  } catch (err) {
    throw new ConfigurationError(`"security.ssl.internal.ca": cannot read ${caFile} for the S3 client: ${errorMessage(err)}`, { key: 'security.ssl.internal.ca', cause: err });
  }
}

export function createS3Client(settings: S3Settings): S3Client {
  checkS3Settings(settings);
  const accessKey = settings['s3.access-key'];
  const secretKey = settings['s3.secret-key'];
  const endpoint = settings['s3.endpoint'];
  const agent = { keepAlive: true, maxSockets: 32 };
  const ca = trustedCas(settings);
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
      httpsAgent: ca === undefined ? agent : { ...agent, ca },
    },
  });
}
