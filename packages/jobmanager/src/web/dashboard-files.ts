import { readFile, realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Content types of what the dashboard's build writes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Assets have content-hashed names: a browser may keep them for good. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** The page itself names the current assets: always asked again. */
export const PAGE_CACHE_CONTROL = 'no-cache';

/**
 * Serves the built dashboard (`index.html`, `assets/`) on the REST port:
 * `/` and `/index.html` the page, `/assets/<file>` the bundle, and — the
 * single-page fallback — the page for any other unknown GET that a
 * browser navigates to (it asks for text/html); the REST API's routes are
 * matched first and an unknown path asked for as JSON stays a 404 in the
 * REST error shape. A path that would leave `assets/` (`..`, encoded
 * slashes, symlinks pointing out) is a 404. Without a built dashboard the
 * page says how to build it (503); the REST API works either way.
 */
export function registerDashboardFiles(app: FastifyInstance, assetsDir: string): void {
  const page = async (_request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    let html: Buffer;
    try {
      html = await readFile(join(assetsDir, 'index.html'));
    } catch {
      reply.code(503).type('text/plain; charset=utf-8');
      return 'The dashboard is not built: run `pnpm run build` in the repository (the REST API answers without it).\n';
    }
    reply.header('cache-control', PAGE_CACHE_CONTROL).type(CONTENT_TYPES['.html']!);
    return html;
  };

  app.get('/', page);
  app.get('/index.html', page);

  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const file = await assetPath(join(assetsDir, 'assets'), request.params['*']);
    if (file === undefined) return notFound(request, reply);
    const type = CONTENT_TYPES[extname(file)];
    if (type === undefined) return notFound(request, reply);
    reply.header('cache-control', ASSET_CACHE_CONTROL).type(type);
    return readFile(file);
  });

  app.get('/*', async (request, reply) => {
    const accept = request.headers.accept ?? '';
    if (accept.includes('text/html')) return page(request, reply);
    return notFound(request, reply);
  });
}

function notFound(request: FastifyRequest, reply: FastifyReply): { errors: string[] } {
  reply.code(404);
  return { errors: [`Not found: ${request.method} ${request.url}`] };
}

/**
 * The file `relative` names inside `root`, or undefined when it names none
 * or anything outside `root` (after resolving `..` and symlinks).
 */
export async function assetPath(root: string, relative: string): Promise<string | undefined> {
  if (relative === '' || relative.includes('\0') || relative.includes('\\')) return undefined;
  const parts = relative.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..')) return undefined;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(join(root, ...parts))]);
    return realFile.startsWith(realRoot + sep) ? realFile : undefined;
  } catch {
    return undefined;
  }
}
