/**
 * Loads the etcd launcher of @rivulet/testing at run time. @rivulet/testing
 * depends on @rivulet/common, so common's tests cannot reference it at build
 * time (project references would be circular); both are built before any test
 * runs. This file compiles to packages/common/dist/test/highavailability/.
 */
export interface EtcdServer {
  readonly endpoint: string;
  readonly clientPort: number;
  readonly pid: number;
  readonly running: boolean;
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

interface EtcdServerModule {
  startEtcd(options?: { startTimeoutMs?: number }): Promise<EtcdServer>;
  etcdBinary(): string | undefined;
}

const MODULE_URL = new URL('../../../../testing/dist/src/etcd-server.js', import.meta.url);

async function load(): Promise<EtcdServerModule> {
  return (await import(MODULE_URL.href)) as EtcdServerModule;
}

/** Path of the etcd binary, or undefined when it is not installed. */
export async function etcdBinary(): Promise<string | undefined> {
  return (await load()).etcdBinary();
}

export async function startEtcd(): Promise<EtcdServer> {
  return (await load()).startEtcd({ startTimeoutMs: 20_000 });
}
