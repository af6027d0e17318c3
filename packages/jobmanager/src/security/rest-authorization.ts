import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorizeCall, type AuthorizationSettings, type CallSurface, type Logger, type SecurityMetrics } from '@rivulet/common';

/** Routes anyone may GET: probes and the dashboard's static files (they hold no cluster data). */
const OPEN_ROUTES = new Set(['/healthz', '/readyz', '/', '/index.html', '/assets/*', '/*']);

/** The surface of a REST request: GET/HEAD of an API route reads, any other method changes the cluster. */
export function restSurface(method: string, route: string | undefined): CallSurface {
  if (method === 'GET' || method === 'HEAD') return route !== undefined && OPEN_ROUTES.has(route) ? 'open' : 'client-read';
  return 'client-write';
}

/**
 * Authorizes every REST request before its route runs (authorizeCall's
 * rules, as on the gRPC port): a write needs the client token
 * (`authorization: Bearer <token>`) or, with
 * security.ssl.rest.authentication-enabled, the client certificate the TLS
 * layer already verified; reads per security.auth.read-only-endpoints. A
 * refusal answers 401 (403 for a credential of the wrong surface) in
 * Flink's `{"errors": [...]}` shape, with `WWW-Authenticate: Bearer`, and
 * is counted; neither the answer nor the log holds the credential.
 */
export function registerRestAuthorization(app: FastifyInstance, deps: {
  readonly settings: AuthorizationSettings;
  readonly metrics: SecurityMetrics;
  readonly log: Logger;
}): void {
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    const what = `${request.method} ${route ?? request.url.split('?')[0] ?? ''}`;
    const refusal = authorizeCall(what, restSurface(request.method, route), {
      clusterCertificate: false,
      clientCertificate: verifiedClientCertificate(request),
      authorization: request.headers.authorization,
    }, { ...deps.settings, internalTls: false });
    if (refusal === undefined) return;
    deps.metrics.count('rest', refusal.kind);
    deps.log.warn({ request: what, peer: request.ip, reason: refusal.message }, 'REST request refused');
    reply.code(refusal.kind === 'forbidden' ? 403 : 401).header('www-authenticate', 'Bearer realm="rivulet"');
    await reply.send({ errors: [refusal.message] });
  });
}

function verifiedClientCertificate(request: FastifyRequest): boolean {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return false;
  return Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
}
