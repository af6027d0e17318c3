import { settingsEnvironment } from './settings-environment.js';

/**
 * What a test sets to reach s3rver, in each of the forms the code under test
 * reads settings: cluster settings (`-D key=value`, `loadConfiguration`
 * flags), RIVULET_* variables, FileSink `withS3` options, a job's arguments,
 * AWS SDK client options. The one place the test server's exceptions live;
 * production runs with the defaults (docs/checkpoint-storage.md).
 *
 * s3rver's exceptions, and why:
 * - path-style addressing (`http://127.0.0.1:port/bucket/key`): it has no DNS
 *   per bucket (MinIO needs it too, so deployments set it as well);
 * - credentials S3RVER / S3RVER;
 * - integrity checksums only where an operation requires one
 *   (`s3.checksum.request` / `s3.checksum.response` = when-required): with
 *   the SDK's default, a streamed upload goes aws-chunked with a trailing
 *   checksum, and s3rver stores the framing as the object's content; nor
 *   does it keep or return checksums, so validating downloads has nothing to
 *   check against.
 */
export const S3RVER_CHECKSUM_MODE = 'when-required';

/** The part of a started s3rver these helpers read (a StartedS3Server fits). */
export interface S3rverAddress {
  readonly endpoint: string;
}

/** The checksum exceptions alone, as cluster settings: for a test whose other `s3.*` settings come from elsewhere (a compose file). */
export function s3rverChecksumSettings(): string[] {
  return [`s3.checksum.request=${S3RVER_CHECKSUM_MODE}`, `s3.checksum.response=${S3RVER_CHECKSUM_MODE}`];
}

/** Every `s3.*` setting a daemon or storage needs for this s3rver, as `key=value` (`-D`, `startCluster({ set })`). */
export function s3rverSettings(server: S3rverAddress): string[] {
  return [`s3.endpoint=${server.endpoint}`, 's3.path-style-access=true', 's3.access-key=S3RVER', 's3.secret-key=S3RVER', ...s3rverChecksumSettings()];
}

/** The same settings as a key → value record (`loadConfiguration({ flags })`). */
export function s3rverConfig(server: S3rverAddress): Record<string, string> {
  return Object.fromEntries(s3rverSettings(server).map((pair) => pair.split(/=(.*)/s) as [string, string]));
}

/** The same settings as RIVULET_* variables: what a daemon reads from its environment, and a FileSink on a TaskManager without `withS3` options. */
export function s3rverEnvironment(server: S3rverAddress): Record<string, string> {
  return settingsEnvironment(s3rverSettings(server));
}

/** FileSink `withS3(…)` options for this s3rver (structurally `FileSinkS3Options`). */
export function s3rverFileSinkOptions(server: S3rverAddress): {
  endpoint: string;
  pathStyleAccess: true;
  accessKey: 'S3RVER';
  secretKey: 'S3RVER';
  checksumRequest: typeof S3RVER_CHECKSUM_MODE;
  checksumResponse: typeof S3RVER_CHECKSUM_MODE;
} {
  return { endpoint: server.endpoint, pathStyleAccess: true, accessKey: 'S3RVER', secretKey: 'S3RVER', checksumRequest: S3RVER_CHECKSUM_MODE, checksumResponse: S3RVER_CHECKSUM_MODE };
}

/**
 * Arguments for a test job that writes to this s3rver with a FileSink; the
 * job hands them to `withS3` (see the fixtures that read `s3-endpoint`).
 */
export function s3rverJobArguments(server: S3rverAddress): string[] {
  const options = s3rverFileSinkOptions(server);
  return [
    '--s3-endpoint', options.endpoint,
    '--s3-access-key', options.accessKey,
    '--s3-secret-key', options.secretKey,
    '--s3-checksum-request', options.checksumRequest,
    '--s3-checksum-response', options.checksumResponse,
  ];
}

/** AWS SDK `S3Client` options for this s3rver (structurally `S3ClientConfig`; the testing package does not load the SDK). */
export function s3rverClientOptions(server: S3rverAddress): {
  endpoint: string;
  region: 'us-east-1';
  forcePathStyle: true;
  credentials: { accessKeyId: 'S3RVER'; secretAccessKey: 'S3RVER' };
  requestChecksumCalculation: 'WHEN_REQUIRED';
  responseChecksumValidation: 'WHEN_REQUIRED';
} {
  return {
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}
