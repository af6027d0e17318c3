import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckpointStorageError } from '../../src/index.js';
import { CallBudget } from '../../src/storage/call-budget.js';
import { withRetries, type RetryFailure } from '../../src/storage/retry.js';
import { classifyS3Error } from '../../src/storage/s3/s3-errors.js';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
const notFound = Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });

function context(budget: CallBudget) {
  return {
    operation: 'get' as const,
    uri: 's3://b/k',
    budget,
    target: 'S3 endpoint http://127.0.0.1:9',
    deadlineSetting: 's3.retry.deadline',
    classify: classifyS3Error,
    initialBackoffMs: 10,
    maxBackoffMs: 50,
  };
}

async function expectError(promise: Promise<unknown>): Promise<CheckpointStorageError> {
  const err = await promise.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof CheckpointStorageError);
  return err;
}

describe('classifyS3Error', () => {
  const cases: Array<[string, unknown, Partial<RetryFailure>]> = [
    ['connection refused', refused, { transient: true, code: 'UNAVAILABLE' }],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), { transient: true }],
    ['socket hang up', new Error('socket hang up'), { transient: true }],
    ['5xx', Object.assign(new Error('boom'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }), { transient: true }],
    ['503 SlowDown', Object.assign(new Error('slow'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }), { transient: true }],
    ['429', Object.assign(new Error('slow'), { name: 'TooManyRequests', $metadata: { httpStatusCode: 429 } }), { transient: true }],
    ['connect timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), { transient: true }],
    ['404 key', notFound, { transient: false, code: 'NOT_FOUND' }],
    ['404 HEAD', Object.assign(new Error('UnknownError'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }), { transient: false, code: 'NOT_FOUND' }],
    ['404 bucket', Object.assign(new Error('no bucket'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }), { transient: false, code: 'NO_SUCH_BUCKET' }],
    ['403', Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }), { transient: false, code: 'ACCESS_DENIED' }],
    ['416', Object.assign(new Error('range'), { name: 'InvalidRange', $metadata: { httpStatusCode: 416 } }), { transient: false, code: 'INVALID_RANGE' }],
    ['400 other', Object.assign(new Error('bad'), { name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } }), { transient: false, code: 'IO_ERROR' }],
  ];
  for (const [what, err, expected] of cases) {
    test(what, () => {
      const failure = classifyS3Error(err);
      for (const [key, value] of Object.entries(expected)) assert.equal(failure[key as keyof RetryFailure], value, `${what}: ${key}`);
    });
  }
});

describe('withRetries', () => {
  test('retries transient failures and returns the first success', async () => {
    const budget = new CallBudget({}, 5000);
    let calls = 0;
    const value = await withRetries(context(budget), async () => {
      calls += 1;
      if (calls < 4) throw refused;
      return 'ok';
    });
    budget.dispose();
    assert.equal(value, 'ok');
    assert.equal(calls, 4);
  });

  test('a final failure is thrown after one attempt', async () => {
    const budget = new CallBudget({}, 5000);
    let calls = 0;
    const err = await expectError(
      withRetries(context(budget), async () => {
        calls += 1;
        throw notFound;
      }),
    );
    budget.dispose();
    assert.equal(calls, 1);
    assert.equal(err.code, 'NOT_FOUND');
    assert.equal(err.message, 'get s3://b/k failed: not found');
  });

  test('transient failures until the deadline end in UNAVAILABLE with the count and last error', async () => {
    const budget = new CallBudget({}, 300);
    const started = Date.now();
    const err = await expectError(withRetries(context(budget), async () => Promise.reject(refused)));
    budget.dispose();
    const elapsed = Date.now() - started;
    assert.equal(err.code, 'UNAVAILABLE');
    assert.ok(err.attempts > 3, String(err.attempts));
    assert.ok(elapsed >= 290 && elapsed < 1000, `${elapsed} ms`);
    assert.match(err.message, /^get s3:\/\/b\/k failed: S3 endpoint http:\/\/127\.0\.0\.1:9 unavailable: gave up after \d+ attempt\(s\) in 0\.\d s \(deadline 300 ms, s3\.retry\.deadline\); last error: connect ECONNREFUSED/);
  });

  test('an attempt that hangs past the deadline is aborted with TIMEOUT', async () => {
    const budget = new CallBudget({}, 200);
    const err = await expectError(
      withRetries(context(budget), (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))),
    );
    budget.dispose();
    assert.equal(err.code, 'TIMEOUT');
    assert.match(err.message, /did not answer within/);
  });

  test('an attempt cut by the deadline inside its client\'s own retries reports their last transient failure and counts their requests', async () => {
    const budget = new CallBudget({}, 200);
    const slowDown = Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    // As the AWS SDK does: two requests answered 503, then a wait for a third that the deadline cuts.
    const inside = { requests: 2, failures: [slowDown, slowDown] };
    const err = await expectError(
      withRetries({ ...context(budget), insideAttempt: () => inside }, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('Request aborted'))))),
    );
    budget.dispose();
    assert.equal(err.code, 'UNAVAILABLE', err.message);
    assert.equal(err.attempts, 2);
    assert.match(err.message, /gave up after 2 attempt\(s\) in 0\.\d s \(deadline 200 ms, s3\.retry\.deadline\); last error: HTTP 503 SlowDown: Please reduce your request rate\./);
  });

  test("the caller's signal ends the retries with ABORTED", async () => {
    const controller = new AbortController();
    const budget = new CallBudget({ signal: controller.signal }, 10_000);
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const err = await expectError(withRetries(context(budget), async () => Promise.reject(refused)));
    budget.dispose();
    assert.equal(err.code, 'ABORTED');
    assert.ok(Date.now() - started < 1000);
  });
});
