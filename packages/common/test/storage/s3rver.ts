/**
 * Loads the s3rver launcher of @rivulet/testing, and the settings a client of
 * s3rver needs (its s3rver-settings.ts: path style, credentials, checksums
 * only when required), at run time. @rivulet/testing
 * depends on @rivulet/common, so common's tests cannot reference it at build
 * time (project references would be circular); both are built before any test
 * runs. This file compiles to packages/common/dist/test/storage/.
 */
export interface S3Server {
  readonly endpoint: string;
  /** The `s3.*` settings for this server (`loadConfiguration({ flags })`), from @rivulet/testing's `s3rverConfig`. */
  readonly config: Readonly<Record<string, string>>;
  readonly dataDir: string;
  readonly pid: number;
  readonly running: boolean;
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

interface S3ServerModule {
  startS3Server(options: { buckets?: readonly string[]; startTimeoutMs?: number; tls?: { cert: string; key: string } }): Promise<Omit<S3Server, 'config'>>;
}

interface S3rverSettingsModule {
  s3rverConfig(server: { endpoint: string }): Record<string, string>;
}

const MODULE_URL = new URL('../../../../testing/dist/src/s3-server.js', import.meta.url);
const SETTINGS_MODULE_URL = new URL('../../../../testing/dist/src/s3rver-settings.js', import.meta.url);

/** `tls`: serve HTTPS with this certificate and key (PEM files). */
export async function startS3rver(buckets: readonly string[], tls?: { cert: string; key: string }): Promise<S3Server> {
  const module = (await import(MODULE_URL.href)) as S3ServerModule;
  const settings = (await import(SETTINGS_MODULE_URL.href)) as S3rverSettingsModule;
  const server = await module.startS3Server({ buckets, startTimeoutMs: 20_000, ...(tls === undefined ? {} : { tls }) });
  // The server's methods stay bound to it: add the settings to the same object.
  return Object.assign(server, { config: settings.s3rverConfig(server) });
}
