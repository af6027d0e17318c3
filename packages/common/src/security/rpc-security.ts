import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../logging/logger.js';
import { GrpcConnectionGuard } from '../rpc/connection-guard.js';
import type { GrpcServerTls } from '../rpc/server.js';
import type { CallSurface } from './call-authorization.js';
import type { DaemonSecurity } from './cluster-security.js';
import { grpcAuthorizationInterceptor } from './grpc-authorization.js';
import { certificatesOf } from './tls-material.js';
import type { SecurityMetrics } from './security-metrics.js';

/**
 * How a daemon's gRPC port protects itself: the connection guard (idle
 * connections closed after `idleTimeoutMs`, those that never made a call
 * counted), the authorization interceptor (every call, per method surface)
 * and, with internal TLS, the port's TLS. Refusals are counted and logged
 * at warn with the method or the peer's address; the log line never holds a
 * credential. Give `interceptors` to createServer and `listen` to bindServer.
 */
export function rpcSecurity(security: DaemonSecurity, surfaces: Readonly<Record<string, CallSurface>>, metrics: SecurityMetrics, log: Logger, idleTimeoutMs: number, options: {
  /** The port serves client calls (the JobManager's): REST client certificates (DaemonSecurity.clientCa) authenticate them. */
  readonly acceptClientCertificates?: boolean;
} = {}): {
  readonly interceptors: grpc.ServerInterceptor[];
  readonly listen: { readonly tls: GrpcServerTls | undefined; readonly guard: GrpcConnectionGuard };
} {
  const guard = new GrpcConnectionGuard(idleTimeoutMs, (peer, reason) => {
    metrics.count('rpc', reason);
    log.debug({ peer, reason }, 'gRPC connection ended without a call');
  });
  const clientCa = options.acceptClientCertificates === true ? security.clientCa : undefined;
  const interceptor = grpcAuthorizationInterceptor({
    settings: security.authorization,
    surfaces,
    ...(clientCa !== undefined && security.internalTls !== undefined ? { clusterCas: certificatesOf(security.internalTls.ca, 'security.ssl.internal.ca', 'the cluster CA') } : {}),
    onRefused: (method, refusal) => {
      metrics.count('rpc', refusal.kind);
      log.warn({ method, reason: refusal.message }, 'gRPC call refused');
    },
  });
  const tls = security.internalTls === undefined ? undefined : {
    // The handshake verifies against both CAs; the interceptor tells a cluster certificate from a client's.
    material: clientCa === undefined ? security.internalTls : { ...security.internalTls, ca: `${security.internalTls.ca}\n${clientCa}` },
    onHandshakeRefused: (peer: string, reason: string) => {
      metrics.count('rpc', 'tls');
      log.warn({ peer, reason }, 'TLS connection to the gRPC port refused');
    },
  };
  return { interceptors: [guard.interceptor(), interceptor], listen: { tls, guard } };
}
