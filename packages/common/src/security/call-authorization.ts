import type { BearerToken } from './bearer-token.js';

/**
 * Who may call what. Every RPC method and REST route belongs to one surface:
 *
 * - `internal`: calls between daemons (registration, heartbeats, deployment,
 *   checkpoint triggers and acknowledgements, bundle download). With internal
 *   TLS on they need a certificate signed by the cluster CA; a client token
 *   does not authorize them.
 * - `client-write`: what changes the cluster (submit, cancel, stop,
 *   savepoint). With a token configured they need it; an internal
 *   certificate does not authorize them.
 * - `client-read`: read-only views (overview, jobs, metrics). Open, or
 *   like `client-write` with `security.auth.read-only-endpoints: authenticated`.
 * - `open`: health probes and the dashboard's static files, always open.
 */
export type CallSurface = 'internal' | 'client-write' | 'client-read' | 'open';

export type ReadOnlyAccess = 'open' | 'authenticated';

export interface AuthorizationSettings {
  /** Internal TLS is on: internal calls need a verified cluster certificate. */
  readonly internalTls: boolean;
  /** The client token; undefined: client calls need no credential. */
  readonly token: BearerToken | undefined;
  readonly readOnly: ReadOnlyAccess;
}

/** What a caller presented. */
export interface CallCredentials {
  /** The peer presented a certificate that verified against the cluster CA (internal TLS). */
  readonly clusterCertificate: boolean;
  /** The peer presented a certificate that did not verify (another CA, expired, …): why, as TLS said. */
  readonly rejectedCertificate?: string | undefined;
  /** A client certificate verified by the REST TLS layer (`security.ssl.rest.authentication-enabled`). */
  readonly clientCertificate?: boolean;
  /** The `authorization` header or metadata, if any. */
  readonly authorization: string | undefined;
}

export interface Refusal {
  /** `unauthenticated`: no or a wrong credential; `forbidden`: a credential of the other surface. */
  readonly kind: 'unauthenticated' | 'forbidden';
  /** Says what was needed and what was wrong; never contains the credential. */
  readonly message: string;
}

/**
 * Decides one call. Pure: the gRPC interceptor and the REST hook both ask it,
 * so both surfaces follow the same rules. `what` names the call in messages
 * (e.g. "SubmitJob", "POST /jobs/:id/stop").
 */
export function authorizeCall(what: string, surface: CallSurface, presented: CallCredentials, settings: AuthorizationSettings): Refusal | undefined {
  switch (surface) {
    case 'open':
      return undefined;
    case 'internal':
      if (!settings.internalTls || presented.clusterCertificate) return undefined;
      if (presented.rejectedCertificate !== undefined) {
        return { kind: 'unauthenticated', message: `${what} is internal to the cluster and the certificate presented was refused: ${presented.rejectedCertificate} (it must be signed by the CA of security.ssl.internal.ca)` };
      }
      if (presented.authorization !== undefined || presented.clientCertificate === true) {
        const credential = presented.clientCertificate === true ? 'a client certificate' : 'a client token';
        return { kind: 'forbidden', message: `${what} is internal to the cluster: it needs a cluster certificate (security.ssl.internal.*), and ${credential} does not authorize it` };
      }
      return { kind: 'unauthenticated', message: `${what} is internal to the cluster: it needs a certificate signed by the cluster CA (security.ssl.internal.*), and none was presented` };
    case 'client-read':
      if (settings.readOnly === 'open') return undefined;
      return clientCall(what, presented, settings);
    case 'client-write':
      return clientCall(what, presented, settings);
  }
}

function clientCall(what: string, presented: CallCredentials, settings: AuthorizationSettings): Refusal | undefined {
  if (settings.token === undefined || presented.clientCertificate === true) return undefined;
  if (settings.token.matches(presented.authorization)) return undefined;
  if (presented.authorization === undefined) {
    const hint = presented.clusterCertificate ? ' (a cluster certificate does not authorize client calls)' : '';
    return { kind: 'unauthenticated', message: `${what} needs a client token (authorization: Bearer <token>; the CLI reads security.auth.token, RIVULET_SECURITY_AUTH_TOKEN or --token-file) and none was sent${hint}` };
  }
  return { kind: 'unauthenticated', message: `${what} was refused: the client token sent is not valid for this cluster` };
}
