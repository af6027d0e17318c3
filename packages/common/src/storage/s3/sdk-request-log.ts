import { AsyncLocalStorage } from 'node:async_hooks';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * The HTTP requests of one attempt, seen from inside the SDK's own retry
 * loop: how many were sent and how each failed one failed. `withRetries`
 * needs both when the SDK retries within an attempt — to count requests, and,
 * when the deadline cuts an attempt in the middle of the SDK's retries, to
 * report the failures it had (HTTP 503 SlowDown) rather than "did not answer".
 *
 * `logSdkRequests(client)` adds a middleware around the SDK's deserializer
 * (inside its retry loop, once per request, seeing the parsed error of a 5xx);
 * `log.run(fn)` attributes the requests `fn` makes to `log`
 * (AsyncLocalStorage: concurrent calls on one client keep apart).
 */
export class SdkRequestLog {
  requests = 0;
  readonly failures: unknown[] = [];

  run<T>(fn: () => Promise<T>): Promise<T> {
    return currentLog.run(this, fn);
  }
}

const currentLog = new AsyncLocalStorage<SdkRequestLog>();
const MIDDLEWARE_NAME = 'rivuletSdkRequestLog';

export function logSdkRequests(client: S3Client): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const log = currentLog.getStore();
      if (log !== undefined) log.requests += 1;
      try {
        return await next(args);
      } catch (err) {
        log?.failures.push(err);
        throw err;
      }
    },
    { step: 'deserialize', name: MIDDLEWARE_NAME, priority: 'high' },
  );
}
