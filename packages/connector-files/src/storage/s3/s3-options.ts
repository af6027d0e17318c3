/** 5 MiB: S3's smallest part (but the last) of a multipart upload. */
export const MIN_S3_PART_SIZE = 5 * 1024 * 1024;
/** 5 GiB: S3's largest part. */
export const MAX_S3_PART_SIZE = 5 * 1024 * 1024 * 1024;
/** S3's most parts in one multipart upload. */
export const MAX_S3_PARTS = 10_000;
export const DEFAULT_S3_RETRY_DEADLINE_MS = 60_000;

/** When the SDK adds integrity checksums (the values of `s3.checksum.request` / `s3.checksum.response`). */
export type S3ChecksumMode = 'when-supported' | 'when-required';
const CHECKSUM_MODES: readonly string[] = ['when-supported', 'when-required'];

/**
 * How a FileSink reaches S3. Each setting not given here is read on the
 * TaskManager, when the writer or committer starts, from the variable that
 * sets the daemon's own `s3.*` setting (RIVULET_S3_ENDPOINT,
 * RIVULET_S3_PATH_STYLE_ACCESS, RIVULET_S3_ACCESS_KEY, RIVULET_S3_SECRET_KEY,
 * RIVULET_S3_REGION, RIVULET_S3_CHECKSUM_REQUEST, RIVULET_S3_CHECKSUM_RESPONSE), then left to the AWS SDK's defaults (AWS_* variables,
 * profiles, instance metadata).
 */
export interface FileSinkS3Options {
  /** http(s) URL of an S3-compatible endpoint (MinIO: http://minio:9000); unset: AWS. */
  readonly endpoint?: string;
  /** Default us-east-1 (as `s3.region`). */
  readonly region?: string;
  /** Path-style addressing (MinIO and s3rver need it); default false. */
  readonly pathStyleAccess?: boolean;
  /** Set together with secretKey. */
  readonly accessKey?: string;
  readonly secretKey?: string;
  /** Bytes a part file buffers before uploading them as one part; default and least 5 MiB, at most 5 GiB. */
  readonly partSize?: number;
  /** How long (ms) an S3 call retries transient failures (refused connections, 5xx, throttling) before it fails; default 60,000 (as `s3.retry.deadline`). */
  readonly retryDeadlineMs?: number;
  /** Checksums on uploads (as `s3.checksum.request`): 'when-supported' (default, the SDK's) or 'when-required' for an endpoint that cannot take them. */
  readonly checksumRequest?: S3ChecksumMode;
  /** Checksum validation of downloads (as `s3.checksum.response`): 'when-supported' (default) or 'when-required'. */
  readonly checksumResponse?: S3ChecksumMode;
}

/** The S3 settings a writer or committer runs with. */
export interface S3Settings {
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly pathStyleAccess: boolean;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  readonly partSize: number;
  readonly retryDeadlineMs: number;
  readonly checksumRequest: S3ChecksumMode;
  readonly checksumResponse: S3ChecksumMode;
}

/** Checks the options given to `withS3` (when the sink is built); a TypeError names the option. */
export function checkS3Options(options: FileSinkS3Options): void {
  if (options === null || typeof options !== 'object') throw new TypeError('withS3: the S3 options must be an object');
  checkEndpoint(options.endpoint, 'withS3({ endpoint })');
  if (options.region !== undefined && (typeof options.region !== 'string' || options.region === '')) throw new TypeError('withS3({ region }) must be a non-empty string');
  if (options.pathStyleAccess !== undefined && typeof options.pathStyleAccess !== 'boolean') throw new TypeError('withS3({ pathStyleAccess }) must be true or false');
  if ((options.accessKey === undefined) !== (options.secretKey === undefined)) {
    throw new TypeError(`withS3: "${options.accessKey === undefined ? 'accessKey' : 'secretKey'}" must be set together with "${options.accessKey === undefined ? 'secretKey' : 'accessKey'}"`);
  }
  for (const key of ['accessKey', 'secretKey'] as const) {
    if (options[key] !== undefined && (typeof options[key] !== 'string' || options[key] === '')) throw new TypeError(`withS3({ ${key} }) must be a non-empty string`);
  }
  const { partSize, retryDeadlineMs } = options;
  if (partSize !== undefined && (!Number.isSafeInteger(partSize) || partSize < MIN_S3_PART_SIZE || partSize > MAX_S3_PART_SIZE)) {
    throw new TypeError(`withS3({ partSize: ${String(partSize)} }) must be a whole number of bytes from 5 MiB (${MIN_S3_PART_SIZE}, S3's smallest part) to 5 GiB`);
  }
  if (retryDeadlineMs !== undefined && (!Number.isSafeInteger(retryDeadlineMs) || retryDeadlineMs <= 0)) {
    throw new TypeError(`withS3({ retryDeadlineMs: ${String(retryDeadlineMs)} }) must be a positive whole number of ms`);
  }
  for (const key of ['checksumRequest', 'checksumResponse'] as const) {
    const value: unknown = options[key];
    if (value !== undefined && (typeof value !== 'string' || !CHECKSUM_MODES.includes(value))) {
      throw new TypeError(`withS3({ ${key}: ${JSON.stringify(value)} }) must be 'when-supported' or 'when-required'`);
    }
  }
}

/** The settings from `options`, then the TaskManager's RIVULET_S3_* variables; a TypeError names a variable whose value is wrong. */
export function resolveS3Settings(options: FileSinkS3Options, env: NodeJS.ProcessEnv = process.env): S3Settings {
  const endpoint = options.endpoint ?? nonEmpty(env['RIVULET_S3_ENDPOINT']);
  if (options.endpoint === undefined) checkEndpoint(endpoint, 'RIVULET_S3_ENDPOINT');
  const pathStyleAccess = options.pathStyleAccess ?? parseBoolean(env['RIVULET_S3_PATH_STYLE_ACCESS'], 'RIVULET_S3_PATH_STYLE_ACCESS') ?? false;
  let credentials: S3Settings['credentials'];
  if (options.accessKey !== undefined && options.secretKey !== undefined) credentials = { accessKeyId: options.accessKey, secretAccessKey: options.secretKey };
  else {
    const accessKey = nonEmpty(env['RIVULET_S3_ACCESS_KEY']);
    const secretKey = nonEmpty(env['RIVULET_S3_SECRET_KEY']);
    if ((accessKey === undefined) !== (secretKey === undefined)) {
      throw new TypeError(`${accessKey === undefined ? 'RIVULET_S3_SECRET_KEY' : 'RIVULET_S3_ACCESS_KEY'} is set without ${accessKey === undefined ? 'RIVULET_S3_ACCESS_KEY' : 'RIVULET_S3_SECRET_KEY'} on this TaskManager`);
    }
    credentials = accessKey !== undefined && secretKey !== undefined ? { accessKeyId: accessKey, secretAccessKey: secretKey } : undefined;
  }
  return {
    endpoint,
    region: options.region ?? nonEmpty(env['RIVULET_S3_REGION']) ?? 'us-east-1',
    pathStyleAccess,
    credentials,
    partSize: options.partSize ?? MIN_S3_PART_SIZE,
    retryDeadlineMs: options.retryDeadlineMs ?? DEFAULT_S3_RETRY_DEADLINE_MS,
    checksumRequest: options.checksumRequest ?? parseChecksumMode(env['RIVULET_S3_CHECKSUM_REQUEST'], 'RIVULET_S3_CHECKSUM_REQUEST') ?? 'when-supported',
    checksumResponse: options.checksumResponse ?? parseChecksumMode(env['RIVULET_S3_CHECKSUM_RESPONSE'], 'RIVULET_S3_CHECKSUM_RESPONSE') ?? 'when-supported',
  };
}

/** How messages name the endpoint: the URL, or AWS in the region (the checkpoint storage's wording). */
export function describeEndpoint(settings: S3Settings): string {
  return settings.endpoint !== undefined ? `S3 endpoint ${settings.endpoint}` : `AWS S3 (${settings.region})`;
}

function checkEndpoint(endpoint: unknown, where: string): void {
  if (endpoint !== undefined && (typeof endpoint !== 'string' || !/^https?:\/\/[^/]+/.test(endpoint))) {
    throw new TypeError(`${where}: ${JSON.stringify(endpoint)} is not an http:// or https:// URL`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function parseBoolean(value: string | undefined, variable: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new TypeError(`${variable}=${value} on this TaskManager is not true or false`);
}

function parseChecksumMode(value: string | undefined, variable: string): S3ChecksumMode | undefined {
  if (value === undefined || value === '') return undefined;
  const trimmed = value.trim();
  if (trimmed === 'when-supported' || trimmed === 'when-required') return trimmed;
  throw new TypeError(`${variable}=${value} on this TaskManager is not when-supported or when-required`);
}
