import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { signedBy } from './tls-material.js';
import { authorizeCall, type AuthorizationSettings, type CallSurface, type Refusal } from './call-authorization.js';

export interface GrpcAuthorizationOptions {
  readonly settings: AuthorizationSettings;
  /** The surface of a method, by its name (`SubmitJob`); a method not listed is `internal`. */
  readonly surfaces: Readonly<Record<string, CallSurface>>;
  /** A call was refused: counted and logged by the daemon (the message holds no credential). */
  readonly onRefused: (method: string, refusal: Refusal) => void;
  /**
   * When the port's TLS also trusts a client CA: the cluster CA's
   * certificates. A verified peer certificate signed by one of them is a
   * cluster certificate; any other verified one a client certificate.
   * Unset: every verified certificate is a cluster certificate.
   */
  readonly clusterCas?: readonly X509Certificate[];
}

/**
 * A server interceptor that authorizes every call before its handler sees
 * it (authorizeCall's rules): a refused call ends with UNAUTHENTICATED or
 * PERMISSION_DENIED and a message saying what was needed; the handler never
 * runs, so nothing is submitted, cancelled or deployed.
 */
export function grpcAuthorizationInterceptor(options: GrpcAuthorizationOptions): grpc.ServerInterceptor {
  return (method, call) => new grpc.ServerInterceptingCall(call, {
    start: (next) => next({
      onReceiveMetadata: (metadata, forward) => {
        const name = method.path.slice(method.path.lastIndexOf('/') + 1);
        const surface = options.surfaces[name] ?? 'internal';
        const peer = call.getAuthContext().sslPeerCertificate;
        const cluster = peer !== undefined && (options.clusterCas === undefined || issuedByAny(peer.raw, options.clusterCas));
        const refusal = authorizeCall(name, surface, {
          clusterCertificate: cluster,
          clientCertificate: peer !== undefined && !cluster,
          rejectedCertificate: rejectedCertificate(call),
          authorization: firstString(metadata.get('authorization')),
        }, options.settings);
        if (refusal === undefined) {
          forward(metadata);
          return;
        }
        options.onRefused(name, refusal);
        call.sendStatus({
          code: refusal.kind === 'forbidden' ? grpc.status.PERMISSION_DENIED : grpc.status.UNAUTHENTICATED,
          details: refusal.message,
          metadata: new grpc.Metadata(),
        });
      },
    }),
  });
}

function issuedByAny(raw: Buffer, cas: readonly X509Certificate[]): boolean {
  const certificate = new X509Certificate(raw);
  return cas.some((ca) => signedBy(certificate, ca));
}

function firstString(values: grpc.MetadataValue[]): string | undefined {
  const value = values[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Why the peer's certificate did not verify, when it presented one. grpc-js
 * shows only verified certificates (getAuthContext); the TLS socket behind
 * the call knows the rest. Read through the call's internals: undefined when
 * they are not there (the message then just says no certificate was seen).
 */
function rejectedCertificate(call: grpc.ServerInterceptingCallInterface): string | undefined {
  const socket = socketOf(call);
  if (socket === undefined || socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  if (peer === null || Object.keys(peer).length === 0) return undefined;
  const error = socket.authorizationError as Error | string | null;
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code ?? error.message : String(error ?? 'not verified');
  return `${VERIFY_ERRORS[code] ?? 'not verified'} (${code})`;
}

/** OpenSSL's verification codes as Node reports them, said plainly. */
const VERIFY_ERRORS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'not signed by a trusted CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'not signed by a trusted CA',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'a self-signed certificate',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate was revoked',
  INVALID_PURPOSE: 'certificate may not be used for this purpose (extendedKeyUsage)',
};

function socketOf(call: unknown): TLSSocket | undefined {
  let current = call as { nextCall?: unknown; stream?: { session?: { socket?: unknown } } } | undefined;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    const socket = current.stream?.session?.socket as TLSSocket | undefined;
    if (socket !== undefined) return socket;
    current = current.nextCall as typeof current;
  }
  return undefined;
}
