import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../logging/logger.js';
import type { GrpcServerTls } from '../rpc/server.js';
import type { CallSurface } from './call-authorization.js';
import type { DaemonSecurity } from './cluster-security.js';
import { grpcAuthorizationInterceptor } from './grpc-authorization.js';
import type { SecurityMetrics } from './security-metrics.js';

/**
 * How a daemon's gRPC port enforces security: the authorization
 * interceptor (every call, per method surface) and, with internal TLS, the
 * port's TLS. Refusals are counted and logged at warn with the method and
 * the peer's address; the log line never holds a credential.
 */
export function rpcSecurity(security: DaemonSecurity, surfaces: Readonly<Record<string, CallSurface>>, metrics: SecurityMetrics, log: Logger): {
  readonly interceptors: grpc.ServerInterceptor[];
  readonly tls: GrpcServerTls | undefined;
} {
  const interceptor = grpcAuthorizationInterceptor({
    settings: security.authorization,
    surfaces,
    onRefused: (method, refusal) => {
      metrics.count('rpc', refusal.kind);
      log.warn({ method, reason: refusal.message }, 'gRPC call refused');
    },
  });
  const tls = security.internalTls === undefined ? undefined : {
    material: security.internalTls,
    onHandshakeRefused: (peer: string, reason: string) => {
      metrics.count('rpc', 'tls');
      log.warn({ peer, reason }, 'TLS connection to the gRPC port refused');
    },
  };
  return { interceptors: [interceptor], tls };
}
