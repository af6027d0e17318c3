import type { S3Client } from '@aws-sdk/client-s3';
import { FileSinkError } from '../../file-sink-error.js';
import { classifyS3Error, type S3Failure, type S3FailureCode } from './s3-errors.js';
import { SdkRequestLog } from './sdk-request-log.js';
import { describeEndpoint, type S3Settings } from './s3-options.js';

const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/** A failed S3 call of a FileSink: `code` says why, `transient` whether retrying later may help. */
export class S3CallError extends FileSinkError {
  constructor(
    sink: string,
    what: string,
    readonly code: S3FailureCode,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(sink, what, options);
  }
}

/**
 * The S3 calls of one writer or committer: a client and the retry rule.
 * `call` retries transient failures with exponential backoff (100 ms
 * doubling to 5 s) until the retry deadline, each attempt aborted at the
 * deadline; a final failure fails at once. Within an attempt the SDK
 * retries too (createS3Client): errors count every request it made, and an
 * attempt cut by the deadline in the middle of its retries reports their
 * last transient failure. Errors name the operation, the
 * object and the endpoint: `UploadPart s3://b/k failed at S3 endpoint
 * http://minio:9000: access denied (HTTP 403 …)`.
 */
export class S3Calls {
  constructor(
    readonly client: S3Client,
    readonly settings: S3Settings,
    readonly sink: string,
  ) {}

  /** `S3 endpoint http://minio:9000`, or `AWS S3 (us-east-1)`. */
  get target(): string {
    return describeEndpoint(this.settings);
  }

  async call<T>(operation: string, uri: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const started = Date.now();
    const deadline = started + this.settings.retryDeadlineMs;
    let backoff = INITIAL_BACKOFF_MS;
    let lastTransient: S3Failure | undefined;
    let attempts = 0;
    for (;;) {
      const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
      const log = new SdkRequestLog(); // the requests the SDK makes in this attempt (its client logs them: createS3Client)
      try {
        attempts += 1;
        return await log.run(() => attempt(signal));
      } catch (err) {
        attempts += Math.max(1, log.requests) - 1;
        for (const failed of log.failures) {
          const inner = classifyS3Error(failed);
          if (inner.transient) lastTransient = inner;
        }
        // An attempt cut by the deadline reports the failure before it, if any: that is why the call kept failing.
        const failure: S3Failure = signal.aborted
          ? (lastTransient ?? { transient: true, code: 'UNAVAILABLE', detail: `no answer within the retry deadline (${classifyS3Error(err).detail})` })
          : classifyS3Error(err);
        const left = deadline - Date.now();
        if (!failure.transient || left <= 0) throw this.failed(operation, uri, failure, attempts, Date.now() - started, err);
        lastTransient = failure;
        await new Promise((resolve) => setTimeout(resolve, Math.min(backoff, left)));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** The error for a call that failed for good (`failure`), after `attempts` attempts over `elapsedMs`. */
  failed(operation: string, uri: string, failure: S3Failure, attempts: number, elapsedMs: number, cause: unknown): S3CallError {
    const where = `${operation} ${uri} failed at ${this.target}`;
    const detail = failure.transient
      ? `still failing after ${attempts} attempt(s) in ${(elapsedMs / 1000).toFixed(1)} s (retry deadline ${this.settings.retryDeadlineMs} ms, withS3({ retryDeadlineMs })): ${failure.detail}`
      : failure.detail;
    return new S3CallError(this.sink, `${where}: ${detail}`, failure.code, failure.transient, { cause });
  }
}
