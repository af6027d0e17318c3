import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { UploadPartCommand } from '@aws-sdk/client-s3';
import { startRecordingS3Endpoint, type RecordedRequest, type RecordingS3Endpoint } from '@rivulet/testing';
import { S3Calls } from '../src/storage/s3/s3-calls.js';
import { createS3Client } from '../src/storage/s3/s3-client.js';
import { resolveS3Settings, type FileSinkS3Options } from '../src/storage/s3/s3-options.js';

/**
 * The FileSink's S3 client under the production defaults, against a real
 * HTTP server on 127.0.0.1 that records every request: a part goes with the
 * CRC32 of its bytes (S3 and MinIO check it before storing the part), no
 * checksum with `checksumRequest: 'when-required'` or
 * RIVULET_S3_CHECKSUM_REQUEST; a 503 is retried by the SDK within one call.
 */
let server: RecordingS3Endpoint;
before(async () => {
  server = await startRecordingS3Endpoint();
});
after(async () => server?.close());

function calls(options: FileSinkS3Options = {}, env: NodeJS.ProcessEnv = {}): S3Calls {
  const settings = resolveS3Settings({ endpoint: server.endpoint, pathStyleAccess: true, accessKey: 'AK', secretKey: 'SK', retryDeadlineMs: 5000, ...options }, env);
  return new S3Calls(createS3Client(settings), settings, 'FileSink (s3://results/out)');
}

/** Uploads `body` as part 1 of upload `u` at `key` through S3Calls; the server's requests for it. */
async function uploadPart(s3: S3Calls, key: string, body: Buffer): Promise<RecordedRequest[]> {
  const from = server.requests.length;
  try {
    await s3.call('UploadPart', `s3://results/${key}`, (signal) =>
      s3.client.send(new UploadPartCommand({ Bucket: 'results', Key: key, UploadId: 'u', PartNumber: 1, Body: body, ContentLength: body.length }), { abortSignal: signal }),
    );
  } finally {
    s3.client.destroy();
  }
  return server.requests.slice(from).filter((r) => r.method === 'PUT' && r.url.startsWith(`/results/${key}?`));
}

function crc32Base64(bytes: Buffer): string {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(crc32(bytes));
  return value.toString('base64');
}

describe("the FileSink's S3 client as deployed (a recording HTTP server)", { timeout: 30_000 }, () => {
  test('by default a part carries the CRC32 of its bytes', async () => {
    const body = Buffer.from('{"key":"k1","count":1}\n'.repeat(500));
    const [put] = await uploadPart(calls(), 'out/part-a', body);
    assert.ok(put, 'the UploadPart reached the server');
    assert.equal(put.headers['x-amz-sdk-checksum-algorithm'], 'CRC32');
    assert.equal(put.headers['x-amz-checksum-crc32'], crc32Base64(body));
    assert.ok(put.body.equals(body));
  });

  test("checksumRequest 'when-required', or RIVULET_S3_CHECKSUM_REQUEST on the TaskManager, sends none", async () => {
    const body = Buffer.from('plain');
    for (const s3 of [calls({ checksumRequest: 'when-required' }), calls({}, { RIVULET_S3_CHECKSUM_REQUEST: 'when-required' })]) {
      const [put] = await uploadPart(s3, 'out/part-b', body);
      assert.ok(put, 'the UploadPart reached the server');
      assert.deepEqual(Object.keys(put.headers).filter((name) => name.startsWith('x-amz-checksum-') || name === 'x-amz-sdk-checksum-algorithm'), []);
      assert.ok(put.body.equals(body));
    }
  });

  test('a 503 is retried by the SDK within the call: two requests of one invocation, the part stored', async () => {
    const body = Buffer.from('after one SlowDown');
    server.failNext(1);
    const puts = await uploadPart(calls(), 'out/part-c', body);
    assert.deepEqual(puts.map((r) => r.status), [503, 200]);
    assert.deepEqual(puts.map((r) => r.headers['amz-sdk-request']), ['attempt=1; max=3', 'attempt=2; max=3']);
    assert.equal(puts[0]!.headers['amz-sdk-invocation-id'], puts[1]!.headers['amz-sdk-invocation-id']);
    assert.ok(server.stored('/results/out/part-c')?.equals(body));
  });

  test('503 until the retry deadline, also when it falls in the SDK\'s retries: the error names SlowDown and counts every request', async () => {
    server.failNext(1_000_000);
    const from = server.requests.length;
    const started = Date.now();
    try {
      await assert.rejects(uploadPart(calls({ retryDeadlineMs: 1500 }), 'out/part-d', Buffer.from('never stored')), (err: Error) => {
        const answered = server.requests.slice(from).length;
        const counted = Number(/still failing after (\d+) attempt\(s\)/.exec(err.message)?.[1]);
        assert.match(err.message, /UploadPart s3:\/\/results\/out\/part-d failed at S3 endpoint http:\/\/127\.0\.0\.1:\d+: still failing after \d+ attempt\(s\) in 1\.\d s \(retry deadline 1500 ms, withS3\(\{ retryDeadlineMs \}\)\): HTTP 503 SlowDown/);
        assert.ok(answered >= 2 && (counted === answered || counted === answered + 1), `counted ${counted}, the server answered ${answered}`);
        return true;
      });
    } finally {
      server.failNext(0);
    }
    assert.ok(Date.now() - started < 4000);
  });
});
