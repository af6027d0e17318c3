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
}

/**
 * The HTTP server of a daemon: `/metrics` (Prometheus text), `/healthz`,
 * `/readyz` when the daemon says what ready means, and
 * whatever routes the caller adds. Errors answer Flink's `{"errors": [...]}`
 * shape. Malformed requests are answered 400 and closed by Node's parser;
 * they never reach the routes or stop the server.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const tls = options.tls;
  const https = tls === undefined ? undefined : {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientAuthentication ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
  };
  // An HTTPS Fastify has another server type parameter; the routes and hooks are the same.
  const app = (https === undefined
    ? Fastify({ logger: false, connectionTimeout: 60_000, requestTimeout: 30_000 })
    : Fastify({ logger: false, connectionTimeout: 60_000, requestTimeout: 30_000, https })) as unknown as FastifyInstance;

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
