import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, type IBackoff } from 'cockatiel';
import { Etcd3, isRecoverableError } from 'etcd3';
import type { Configuration } from '../../config/index.js';
import { ConfigurationError, RivuletError } from '../../errors.js';
import { etcdCredentials } from '../../security/etcd-tls.js';

/**
 * The etcd client every Rivulet process uses for high availability, and the
 * bounds on its calls.
 *
 * Fault handling (measured on this project's machines): etcd3's default per-host circuit
 * breaker opens for 5 s after 3 failures, so a 1 s etcd blip loses a 2 s lease.
 * Here it half-opens after 500 ms, watch streams reconnect with a backoff of
 * 100 ms to 1 s, and gRPC redials from 100 ms to 1 s, so a 1-2 s outage is
 * over before a 5 s lease is.
 *
 * Deadlines: every unary call (lease grant and revoke, range, txn) carries a
 * gRPC deadline of `ETCD_CALL_DEADLINE_MS` per attempt, and every call made by
 * Rivulet code is bounded as a whole by `withEtcdDeadline()` (default
 * `ETCD_OPERATION_TIMEOUT_MS`, covering etcd3's retries). Streams (lease
 * keepalives, watches) have no deadline: the election's watchdog and the
 * retrieval's polling bound how long their silence can go unnoticed.
 */
export type EtcdSettings = Pick<
  Configuration,
  'high-availability.etcd.endpoints' | 'high-availability.cluster-id' | 'high-availability.etcd.lease-ttl'
> & Partial<Pick<Configuration, 'security.ssl.internal.enabled' | 'security.ssl.internal.cert' | 'security.ssl.internal.key' | 'security.ssl.internal.ca'>>;

/** gRPC deadline of one attempt of a unary etcd call. */
export const ETCD_CALL_DEADLINE_MS = 2000;
/** Bound on one Rivulet etcd operation, retries included. */
export const ETCD_OPERATION_TIMEOUT_MS = 3000;
/** The per-host circuit breaker opens after this many consecutive failures... */
export const ETCD_BREAKER_CONSECUTIVE_FAILURES = 3;
/** ...and lets a call through again after this long (etcd3's default: 5000). */
export const ETCD_BREAKER_HALF_OPEN_MS = 500;
/** Backoff of watch stream reconnects (etcd3's default: up to 30 s). */
export const ETCD_WATCH_BACKOFF_MS = { initial: 100, max: 1000 } as const;
/** Backoff of gRPC reconnects to an etcd endpoint (grpc-js default: 1 s to 120 s). */
export const ETCD_RECONNECT_BACKOFF_MS = { initial: 100, max: 1000 } as const;
/** etcd raises a shorter lease TTL to this. */
export const ETCD_MIN_LEASE_TTL_SECONDS = 2;

/** An etcd call that did not finish within its bound. */
export class EtcdTimeoutError extends RivuletError {
  override readonly name = 'EtcdTimeoutError';
  readonly operation: string;
  readonly timeoutMs: number;
  constructor(operation: string, timeoutMs: number) {
    super('UNREACHABLE', `etcd ${operation} did not finish within ${timeoutMs} ms`);
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/** Creates the client with Rivulet's fault handling and per-call deadlines. */
export function createEtcdClient(settings: EtcdSettings, options: { callDeadlineMs?: number } = {}): Etcd3 {
  const endpoints = settings['high-availability.etcd.endpoints'];
  if (endpoints.length === 0) {
    throw new ConfigurationError('"high-availability.etcd.endpoints" must list at least one etcd URL', {
      key: 'high-availability.etcd.endpoints',
    });
  }
  for (const endpoint of endpoints) {
    if (!/^https?:\/\/[^/]+\/?$/.test(endpoint)) {
      throw new ConfigurationError(
        `"high-availability.etcd.endpoints": ${JSON.stringify(endpoint)} is not an http:// or https:// URL of host and port`,
        { key: 'high-availability.etcd.endpoints' },
      );
    }
  }
  const callDeadlineMs = options.callDeadlineMs ?? ETCD_CALL_DEADLINE_MS;
  const credentials = etcdCredentials(settings);
  return new Etcd3({
    hosts: endpoints.map((endpoint) => endpoint.replace(/\/$/, '')),
    ...(credentials === undefined ? {} : { credentials }),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + callDeadlineMs }),
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': ETCD_RECONNECT_BACKOFF_MS.initial,
      'grpc.max_reconnect_backoff_ms': ETCD_RECONNECT_BACKOFF_MS.max,
    },
    faultHandling: {
      host: () =>
        circuitBreaker(handleWhen(isRecoverableError), {
          halfOpenAfter: ETCD_BREAKER_HALF_OPEN_MS,
          breaker: new ConsecutiveBreaker(ETCD_BREAKER_CONSECUTIVE_FAILURES),
        }),
      // etcd3 declares an IBackoff here but calls it as a backoff factory
      // (`.next()` first), which is what ExponentialBackoff is.
      watchBackoff: new ExponentialBackoff({
        initialDelay: ETCD_WATCH_BACKOFF_MS.initial,
        maxDelay: ETCD_WATCH_BACKOFF_MS.max,
      }) as unknown as IBackoff<unknown>,
    },
  });
}

/** Lease TTL in whole seconds: `high-availability.etcd.lease-ttl` rounded up, at least etcd's minimum. */
export function etcdLeaseTtlSeconds(settings: EtcdSettings): number {
  return Math.max(ETCD_MIN_LEASE_TTL_SECONDS, Math.ceil(settings['high-availability.etcd.lease-ttl'] / 1000));
}

/**
 * How long a leader may go without a confirmed lease renewal before it steps
 * down: the TTL less a safety margin of max(1 s, TTL/3), so it stops acting
 * before etcd could expire the lease and elect another.
 */
export function leaderStepDownAfterMs(ttlSeconds: number): number {
  const ttlMs = ttlSeconds * 1000;
  return Math.floor(ttlMs - Math.max(1000, ttlMs / 3));
}

/** `/rivulet/<cluster-id>/`: where all of a cluster's HA data lives. */
export function etcdClusterPrefix(settings: EtcdSettings): string {
  return `/rivulet/${settings['high-availability.cluster-id']}/`;
}

/**
 * Key prefix of the leader election, `/rivulet/<cluster-id>/leader/`. Each
 * candidate owns `<prefix><lease id in hex>`; the key created first leads (the
 * layout of etcd's Go `concurrency.Election`, so
 * `etcdctl elect -l /rivulet/<cluster-id>/leader` shows the leader's value).
 */
export function etcdElectionPrefix(settings: EtcdSettings): string {
  return `${etcdClusterPrefix(settings)}leader/`;
}

/** How messages name the etcd cluster and the Rivulet cluster in it. */
export function describeEtcd(settings: EtcdSettings): string {
  return `etcd ${settings['high-availability.etcd.endpoints'].join(',')} (cluster id "${settings['high-availability.cluster-id']}")`;
}

/**
 * Settles like `promise`, or rejects with `EtcdTimeoutError` after `timeoutMs`,
 * or with the signal's reason when it aborts first. The underlying call is not
 * cancelled; its gRPC deadline ends it.
 */
export function withEtcdDeadline<T>(
  promise: PromiseLike<T>,
  operation: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? ETCD_OPERATION_TIMEOUT_MS;
  const signal = options.signal;
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      reject(new EtcdTimeoutError(operation, timeoutMs));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
