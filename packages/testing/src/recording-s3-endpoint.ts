import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small S3 stand-in on 127.0.0.1 (node:http) for tests of what an S3
 * client puts on the wire: it records every request (method, path, headers,
 * body) and answers as S3 does for single objects:
 * - PUT /bucket/key stores the body and the `x-amz-checksum-*` headers sent
 *   with it; 200 with an ETag;
 * - GET /bucket/key answers the body, and, when the request asks for
 *   checksums (`x-amz-checksum-mode: ENABLED`), the stored checksum headers,
 *   as S3 does; 404 NoSuchKey when there is none;
 * - HEAD /bucket answers 200 (the bucket exists).
 * Faults on demand: `failNext(n)` answers the next n requests 503 SlowDown;
 * `corruptDownloads` flips the first byte of every GET body (its checksum
 * header left as stored).
 * It does not decode aws-chunked bodies: tests send Buffer bodies, which the
 * AWS SDK sends as they are.
 */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query: `/bucket/key`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The status it was answered with. */
  readonly status: number;
}

export interface RecordingS3Endpoint {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** The stored body of `/bucket/key`, if any. */
  stored(path: string): Buffer | undefined;
  /** Answers the next `count` requests with HTTP 503 SlowDown. */
  failNext(count: number): void;
  /** While true, every GET body has its first byte flipped (its checksum header as stored). */
  corruptDownloads: boolean;
  close(): Promise<void>;
}

interface StoredObject {
  readonly body: Buffer;
  readonly checksums: Record<string, string>;
}

const SLOW_DOWN = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
const NO_SUCH_KEY = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>';

function checksumHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-mode' && typeof value === 'string') found[name] = value;
  }
  return found;
}

export async function startRecordingS3Endpoint(): Promise<RecordingS3Endpoint> {
  const objects = new Map<string, StoredObject>();
  const requests: RecordedRequest[] = [];
  let failuresLeft = 0;
  const state = { corruptDownloads: false };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      const path = url.split('?')[0]!;
      const answer = (status: number, headers: Record<string, string | number>, payload: Buffer | string = ''): void => {
        requests.push({ method: req.method ?? '', url, headers: req.headers, body, status });
        res.writeHead(status, headers).end(req.method === 'HEAD' ? undefined : payload);
      };
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        answer(503, { 'content-type': 'application/xml' }, SLOW_DOWN);
        return;
      }
      const isObject = path.split('/').filter(Boolean).length >= 2;
      if (req.method === 'PUT' && isObject) {
        objects.set(path, { body, checksums: checksumHeaders(req.headers) });
        answer(200, { etag: '"0"', ...checksumHeaders(req.headers) });
      } else if (req.method === 'GET' && isObject) {
        const object = objects.get(path);
        if (object === undefined) {
          answer(404, { 'content-type': 'application/xml' }, NO_SUCH_KEY);
          return;
        }
        const payload = Buffer.from(object.body);
        if (state.corruptDownloads && payload.length > 0) payload[0] = payload[0]! ^ 0xff;
        const asked = req.headers['x-amz-checksum-mode'] === 'ENABLED';
        answer(200, { 'content-length': payload.length, 'content-type': 'application/octet-stream', etag: '"0"', ...(asked ? object.checksums : {}) }, payload);
      } else if (req.method === 'HEAD' && !isObject) {
        answer(200, {});
      } else {
        answer(501, { 'content-type': 'application/xml' }, '<Error><Code>NotImplemented</Code><Message>not in this stand-in</Message></Error>');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stored: (path) => objects.get(path)?.body,
    failNext: (count) => {
      failuresLeft = count;
    },
    get corruptDownloads() {
      return state.corruptDownloads;
    },
    set corruptDownloads(value: boolean) {
      state.corruptDownloads = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
