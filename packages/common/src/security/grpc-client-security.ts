import * as grpc from '@grpc/grpc-js';
import type { BearerToken } from './bearer-token.js';
import type { TlsMaterial } from './tls-material.js';

/**
 * The name a client asks for in TLS (SNI) when internal TLS is on. Peers are
 * verified against the cluster CA only, not by host name (as Flink's
 * internal SSL): daemons reach each other by addresses that change with
 * every restart and container, and every certificate the cluster CA signs
 * belongs to the cluster.
 */
export const INTERNAL_TLS_SERVER_NAME = 'rivulet-internal';

/** Credentials of a gRPC client: plaintext, or TLS verifying the server against `tls.ca` and presenting `tls.cert` when it has one. */
export function grpcChannelCredentials(tls: TlsMaterial | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  const identity = tls.cert === '' ? {} : { key: Buffer.from(tls.key), cert: Buffer.from(tls.cert) };
  return grpc.credentials.createSsl(
    Buffer.from(tls.ca),
    identity.key ?? null,
    identity.cert ?? null,
    { checkServerIdentity: () => undefined },
  );
}

/**
 * Channel options for a client: the shared ones, the TLS server name when
 * TLS is on, and an interceptor that sends `token` with every call (a client
 * interceptor, not call credentials, so that a token also works on a
 * plaintext loopback cluster).
 */
export function grpcChannelOptions(base: grpc.ChannelOptions, tls: TlsMaterial | undefined, token?: BearerToken): grpc.ClientOptions {
  const options: grpc.ClientOptions = { ...base };
  if (tls !== undefined) options['grpc.ssl_target_name_override'] = INTERNAL_TLS_SERVER_NAME;
  if (token !== undefined) options.interceptors = [tokenInterceptor(token)];
  return options;
}

function tokenInterceptor(token: BearerToken): grpc.Interceptor {
  return (options, nextCall) => new grpc.InterceptingCall(nextCall(options), {
    start: (metadata, listener, next) => {
      metadata.set('authorization', token.header());
      next(metadata, listener);
    },
  });
}
