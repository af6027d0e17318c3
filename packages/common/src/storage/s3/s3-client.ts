import { S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { ConfigurationError, errorMessage } from '../../errors.js';
import { checkS3Settings, type S3Settings } from './s3-settings.js';
import { logSdkRequests } from './sdk-request-log.js';

export { describeEndpoint, type S3Settings } from './s3-settings.js';

/**
 * The S3 client every S3 storage uses. Options and why (docs/checkpoint-storage.md):
 * - `forcePathStyle` from `s3.path-style-access`: MinIO and s3rver address
 *   buckets by path (`http://host:9000/bucket/key`), not by host name.
 * - integrity checksums from `s3.checksum.request` / `s3.checksum.response`,
 *   by default the SDK's own (`WHEN_SUPPORTED`): a CRC32 on every upload,
 *   checked by S3 and MinIO before they store it, and every downloaded object
 *   checked against the checksum stored with it. `when-required` is for an
 *   endpoint that cannot take them (the tests' s3rver).
 * - `maxAttempts: 3` in the SDK's standard retry mode: inside each attempt of
 *   `withRetries` the SDK retries throttling, 5xx and dropped connections
 *   with its own short backoff and its retry quota; `withRetries` goes on
 *   after it gives up, and `s3.retry.deadline` bounds both (the SDK's backoff
 *   ends when the call's signal aborts). Each request is logged for
 *   `withRetries` (sdk-request-log.ts): it counts them, and reports their
 *   failures when the deadline cuts the SDK's retries.
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
/** Attempts the SDK makes within one attempt of `withRetries` (its own default, set so that AWS_MAX_ATTEMPTS cannot change it). */
export const S3_SDK_MAX_ATTEMPTS = 3;

/** The SDK's name for a checksum setting. */
function sdkChecksumMode(value: 'when-supported' | 'when-required'): 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' {
  return value === 'when-required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
}

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
  const client = new S3Client({
    region: settings['s3.region'],
    ...(endpoint !== null ? { endpoint } : {}),
    forcePathStyle: settings['s3.path-style-access'],
    ...(accessKey !== null && secretKey !== null ? { credentials: { accessKeyId: accessKey, secretAccessKey: secretKey } } : {}),
    requestChecksumCalculation: sdkChecksumMode(settings['s3.checksum.request']),
    responseChecksumValidation: sdkChecksumMode(settings['s3.checksum.response']),
    retryMode: 'standard',
    maxAttempts: S3_SDK_MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: S3_CONNECTION_TIMEOUT_MS,
      socketTimeout: S3_SOCKET_IDLE_TIMEOUT_MS,
      httpAgent: agent,
      httpsAgent: ca === undefined ? agent : { ...agent, ca },
    },
  });
  logSdkRequests(client);
  return client;
}
