import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3PartCommittable } from '../src/index.js';
import { S3Calls } from '../src/storage/s3/s3-calls.js';
import { commitS3Part } from '../src/storage/s3/s3-commit.js';
import { resolveS3Settings } from '../src/storage/s3/s3-options.js';

/**
 * The commit decisions of an S3 part file for answers s3rver never gives
 * (it answers HTTP 500 for every completion of an unknown or completed
 * upload), with a client that answers as S3 does: NoSuchUpload for an
 * upload that was aborted, an object of another size at the key, access
 * denied, a slow-down that passes, one that does not.
 */

const COMMITTABLE: S3PartCommittable = { version: 1, kind: 's3', bucket: 'b', key: 'out/part-x-0-0', uploadId: 'u1', parts: [{ partNumber: 1, etag: '"e"' }], size: 10 };

function sdkError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} answered`), { name, $metadata: { httpStatusCode: status } });
}

/** A client whose CompleteMultipartUpload answers `complete` in turn and HeadObject `head`. */
function stubCalls(complete: (Error | 'ok')[], head: Error | number): S3Calls {
  const client = {
    async send(command: { constructor: { name: string } }) {
      if (command.constructor.name === 'HeadObjectCommand') {
        if (typeof head === 'number') return { ContentLength: head };
        throw head;
      }
      const next = complete.shift() ?? 'ok';
      if (next !== 'ok') throw next;
      return {};
    },
  } as unknown as S3Client;
  return new S3Calls(client, resolveS3Settings({ endpoint: 'http://s3.test:9000', retryDeadlineMs: 400 }, {}), 's3://b/out');
}

const notFound = sdkError('NotFound', 404);

describe('S3 commit outcomes', () => {
  test('an upload gone (NoSuchUpload) with no object: failed, naming the upload and the lifecycle rule', async () => {
    const outcome = await commitS3Part(stubCalls([sdkError('NoSuchUpload', 404)], notFound), COMMITTABLE);
    assert.equal(outcome.kind, 'failed');
    assert.match((outcome as { error: Error }).error.message, /^FileSink \(s3:\/\/b\/out\): multipart upload u1 of s3:\/\/b\/out\/part-x-0-0 no longer exists and the object was never completed: it was aborted \(e\.g\. by a bucket lifecycle rule for incomplete uploads\)/);
  });

  test('an upload gone and the object there with its size: already committed; with another size: failed', async () => {
    assert.deepEqual(await commitS3Part(stubCalls([sdkError('NoSuchUpload', 404)], 10), COMMITTABLE), { kind: 'already-committed' });
    const other = await commitS3Part(stubCalls([sdkError('NoSuchUpload', 404)], 7), COMMITTABLE);
    assert.match((other as { error: Error }).error.message, /s3:\/\/b\/out\/part-x-0-0 has 7 bytes, not the 10 bytes of upload u1/);
  });

  test('a slow-down that passes is retried within the call; one that lasts past the deadline is retried later; access denied fails', async () => {
    assert.deepEqual(await commitS3Part(stubCalls([sdkError('SlowDown', 503), 'ok'], notFound), COMMITTABLE), { kind: 'committed' });
    const later = await commitS3Part(stubCalls(Array.from({ length: 100 }, () => sdkError('SlowDown', 503)), notFound), COMMITTABLE);
    assert.equal(later.kind, 'retry');
    assert.match((later as { error: Error }).error.message, /CompleteMultipartUpload s3:\/\/b\/out\/part-x-0-0 failed at S3 endpoint http:\/\/s3\.test:9000: still failing after \d+ attempt\(s\)/);
    const denied = await commitS3Part(stubCalls([sdkError('AccessDenied', 403)], notFound), COMMITTABLE);
    assert.equal(denied.kind, 'failed');
    assert.match((denied as { error: Error }).error.message, /access denied \(HTTP 403 AccessDenied/);
  });
});
