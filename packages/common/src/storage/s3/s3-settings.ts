import { ConfigurationError } from '../../errors.js';
import type { Configuration } from '../../config/index.js';

/**
 * The S3 settings every S3 storage reads, checked without loading the AWS
 * SDK (a slot's thread loads it only when it first talks to S3).
 */
export type S3Settings = Pick<
  Configuration,
  's3.endpoint' | 's3.path-style-access' | 's3.access-key' | 's3.secret-key' | 's3.region' | 's3.checksum.request' | 's3.checksum.response'
> & Partial<Pick<Configuration, 'security.ssl.internal.enabled' | 'security.ssl.internal.ca'>>;

/** Throws ConfigurationError naming the key for half-set credentials, an endpoint that is not an http(s) URL or an unknown checksum setting. */
export function checkS3Settings(settings: S3Settings): void {
  const accessKey = settings['s3.access-key'];
  const secretKey = settings['s3.secret-key'];
  if ((accessKey === null) !== (secretKey === null)) {
    const missing = accessKey === null ? 's3.access-key' : 's3.secret-key';
    throw new ConfigurationError(`"${missing}" must be set together with "${missing === 's3.access-key' ? 's3.secret-key' : 's3.access-key'}"`, {
      key: missing,
    });
  }
  const endpoint = settings['s3.endpoint'];
  if (endpoint !== null && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new ConfigurationError(`"s3.endpoint": ${JSON.stringify(endpoint)} is not an http:// or https:// URL`, { key: 's3.endpoint' });
  }
  for (const key of ['s3.checksum.request', 's3.checksum.response'] as const) {
    const value: unknown = settings[key];
    if (value !== 'when-supported' && value !== 'when-required') {
      throw new ConfigurationError(`"${key}": ${JSON.stringify(value)} is not "when-supported" or "when-required"`, { key });
    }
  }
}

/** How messages name the endpoint: the configured URL, or AWS in the region. */
export function describeEndpoint(settings: S3Settings): string {
  return settings['s3.endpoint'] !== null ? `S3 endpoint ${settings['s3.endpoint']}` : `AWS S3 (${settings['s3.region']})`;
}
