import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging/logger.js';

export interface HttpServerOptions {
  readonly log: Logger;
  readonly metrics: Registry;
  /** Answers /healthz: is the process alive and able to serve. */
  readonly health: () => { healthy: boolean; details?: Record<string, unknown> };
  /** Answers /readyz when given: is the daemon doing its job (a TaskManager: registered with the leader). */
  readonly readiness?: () => { ready: boolean; details?: Record<string, unknown> };
  /**
   * HTTPS instead of HTTP. `clientAuthentication`: the handshake needs a
   * client certificate signed by `ca` (mutual TLS); without, none is asked for.
   */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string; readonly clientAuthentication: boolean } | undefined;
  /** rest.server.max-content-length and rest.idleness-timeout; unset: 100 MiB and 60 s. */
  readonly limits?: { readonly maxBodyBytes: number; readonly idleTimeoutMs: number };
  /** A connection refused: malformed or oversized HTTP (`protocol`), or too slow or idle (`timeout`). */
  readonly onRefused?: (reason: 'protocol' | 'timeout') => void;
}

/** Headers must arrive within a sixth of the idle timeout, at most 10 s: a slow-dripping client is dropped. */
const MAX_HEADERS_TIMEOUT_MS = 10_000;

/**
 * The HTTP server of a daemon: `/metrics` (Prometheus text), `/healthz`,
 * `/readyz` when the daemon says what ready means, and
 * whatever routes the caller adds. Errors answer Flink's `{"errors": [...]}`
 * shape. Malformed requests are answered 400 and closed by Node's parser;
 * they never reach the routes or stop the server.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const tls = options.tls;
  const idleTimeoutMs = options.limits?.idleTimeoutMs ?? 60_000;
  const headersTimeout = Math.max(1000, Math.min(MAX_HEADERS_TIMEOUT_MS, Math.floor(idleTimeoutMs / 6)));
  const limits = {
    logger: false,
    connectionTimeout: idleTimeoutMs,
    requestTimeout: Math.max(headersTimeout, 30_000),
    bodyLimit: options.limits?.maxBodyBytes ?? 100 * 1024 * 1024,
    // Node checks the headers and request timeouts this often (30 s by default).
    http: { headersTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout) },
  };
  const https = tls === undefined ? undefined : {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientAuthentication ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
  };
  // An HTTPS Fastify has another server type parameter; the routes and hooks are the same.
  const app = (https === undefined
    ? Fastify(limits)
    : Fastify({ ...limits, https: { ...https, ...limits.http } })) as unknown as FastifyInstance;
  const onRefused = options.onRefused;
  if (onRefused !== undefined) {
    // Node's parser refuses malformed, oversized-header and timed-out requests itself; count them.
    app.server.on('clientError', (err: NodeJS.ErrnoException) => {
      onRefused(err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT' ? 'timeout' : 'protocol');
    });
    // With a listener, Node leaves a timed-out socket open: close it here.
    app.server.on('timeout', (socket: { destroy(): void }) => {
      onRefused('timeout');
      socket.destroy();
    });
  }

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.metrics.contentType);
    // prom-client writes NaN (e.g. an event-loop lag mean before any sample) as "Nan"; the text format says "NaN".
    return (await options.metrics.metrics()).replace(/ Nan$/gm, ' NaN');
  });

  app.get('/healthz', async (_request, reply) => {
    const { healthy, details } = options.health();
    reply.code(healthy ? 200 : 503);
    return { status: healthy ? 'ok' : 'unhealthy', ...details };
  });

  const readiness = options.readiness;
  if (readiness) {
    app.get('/readyz', async (_request, reply) => {
      const { ready, details } = readiness();
      reply.code(ready ? 200 : 503);
      return { status: ready ? 'ready' : 'not ready', ...details };
    });
  }

  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404);
    return { errors: [`Not found: ${request.method} ${request.url}`] };
  });

  app.setErrorHandler(async (error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) options.onRefused?.('protocol');
    if (status >= 500) options.log.error({ err: error, url: request.url }, 'HTTP request failed');
    reply.code(status);
    return { errors: [error.message] };
  });

  return app;
}

/** Listens; port 0 takes any free port. Resolves with the bound port. */
export async function listenHttp(app: FastifyInstance, host: string, port: number): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (err) {
    throw new Error(`cannot bind HTTP server to ${host}:${port}: ${(err as Error).message}`, { cause: err });
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('HTTP server has no TCP address');
  return address.port;
}
