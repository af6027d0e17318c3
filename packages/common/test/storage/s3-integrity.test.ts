import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createCheckpointStorage, loadConfiguration, type CheckpointStorage } from '../../src/index.js';
import { rejectsWith } from './conformance.js';
import { startRecordingS3Endpoint, type RecordedRequest, type RecordingS3Endpoint } from './recording-endpoint.js';

/**
 * What the S3 client puts on the wire under the production defaults, against
 * a real HTTP server on 127.0.0.1 that records every request (not s3rver,
 * which needs the checksums off): uploads carry a CRC32 of their bytes,
 * downloads ask for the stored checksum and a body that does not match it is
 * refused; `s3.checksum.*` = when-required turns both off. A 503 is retried
 * by the SDK inside one call, and an error counts every request made.
 */
const BUCKET = 'integrity';
let server: RecordingS3Endpoint;

before(async () => {
  server = await startRecordingS3Endpoint();
});
after(async () => server?.close());
beforeEach(() => {
  server.failNext(0);
  server.corruptDownloads = false;
});

function open(extra: Record<string, string> = {}): CheckpointStorage {
  const config = loadConfiguration({
    flags: { 's3.endpoint': server.endpoint, 's3.path-style-access': 'true', 's3.access-key': 'AK', 's3.secret-key': 'SK', 's3.retry.deadline': '5 s', ...extra },
  });
  return createCheckpointStorage(`s3://${BUCKET}/checkpoints`, config);
}

const OPTED_OUT = { 's3.checksum.request': 'when-required', 's3.checksum.response': 'when-required' };

/** The requests since `from` for the object at `path` (under the storage's prefix). */
function requestsFor(from: number, method: string, path: string): RecordedRequest[] {
  return server.requests.slice(from).filter((r) => r.method === method && r.url.split('?')[0] === `/${BUCKET}/checkpoints/${path}`);
}

/** CRC32 of `bytes` as S3 writes it in x-amz-checksum-crc32: big-endian, base64. */
function crc32Base64(bytes: Buffer): string {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(crc32(bytes));
  return value.toString('base64');
}

describe('S3 integrity checksums and retries as deployed (a recording HTTP server)', { timeout: 60_000 }, () => {
  test('by default an upload carries the CRC32 of its bytes, and a download asks for the stored checksum', async () => {
    const storage = open();
    try {
      const bytes = Buffer.from('checkpoint state '.repeat(1000));
      const from = server.requests.length;
      await storage.put('chk-1/op/0/state', bytes);
      const [put] = requestsFor(from, 'PUT', 'chk-1/op/0/state');
      assert.ok(put, 'the PutObject reached the server');
      assert.equal(put.headers['x-amz-sdk-checksum-algorithm'], 'CRC32');
      assert.equal(put.headers['x-amz-checksum-crc32'], crc32Base64(bytes), 'the checksum is the CRC32 of the bytes sent');
      assert.ok(put.body.equals(bytes), 'a Buffer body goes as plain bytes (no aws-chunked framing)');
      assert.equal(put.headers['content-encoding'], undefined);

      assert.ok((await storage.get('chk-1/op/0/state')).equals(bytes));
      const [get] = requestsFor(from, 'GET', 'chk-1/op/0/state');
      assert.equal(get?.headers['x-amz-checksum-mode'], 'ENABLED');
    } finally {
      await storage.close();
    }
  });

  test('with s3.checksum.request and .response = when-required, no checksum is sent or asked for', async () => {
    const storage = open(OPTED_OUT);
    try {
      const bytes = Buffer.from('no checksums here');
      const from = server.requests.length;
      await storage.put('chk-2/op/0/state', bytes);
      const [put] = requestsFor(from, 'PUT', 'chk-2/op/0/state');
      assert.ok(put, 'the PutObject reached the server');
      const checksumHeaders = Object.keys(put.headers).filter((name) => name.startsWith('x-amz-checksum-') || name === 'x-amz-sdk-checksum-algorithm' || name === 'x-amz-trailer');
      assert.deepEqual(checksumHeaders, []);
      assert.ok(put.body.equals(bytes));
      assert.ok((await storage.get('chk-2/op/0/state')).equals(bytes));
      const [get] = requestsFor(from, 'GET', 'chk-2/op/0/state');
      assert.equal(get?.headers['x-amz-checksum-mode'], undefined);
    } finally {
      await storage.close();
    }
  });

  test('by default a download whose body does not match its checksum is refused; opted out, the corrupted bytes come through', async () => {
    const validating = open();
    const opted = open(OPTED_OUT);
    try {
      const bytes = Buffer.from('bytes that will be damaged on the way back');
      await validating.put('chk-3/op/0/state', bytes);
      server.corruptDownloads = true;
      const err = await rejectsWith(validating.get('chk-3/op/0/state'), 'IO_ERROR', `s3://${BUCKET}/checkpoints/chk-3/op/0/state`);
      assert.match(err.message, /checksum mismatch/i);
      assert.match(err.message, /x-amz-checksum-crc32/);
      const unchecked = await opted.get('chk-3/op/0/state');
      assert.equal(unchecked.length, bytes.length);
      assert.ok(!unchecked.equals(bytes), 'without validation the damaged body is taken as it is');
    } finally {
      await validating.close();
      await opted.close();
    }
  });

  test('a 503 is retried by the SDK within the call: the object is stored, after two requests of one invocation', async () => {
    const storage = open();
    try {
      const bytes = Buffer.from('stored after one SlowDown');
      const from = server.requests.length;
      server.failNext(1);
      await storage.put('chk-4/op/0/state', bytes);
      const puts = requestsFor(from, 'PUT', 'chk-4/op/0/state');
      assert.deepEqual(puts.map((r) => r.status), [503, 200]);
      assert.deepEqual(puts.map((r) => r.headers['amz-sdk-request']), ['attempt=1; max=3', 'attempt=2; max=3'], 'the second request is the SDK\'s retry');
      assert.equal(puts[0]!.headers['amz-sdk-invocation-id'], puts[1]!.headers['amz-sdk-invocation-id'], 'one SDK invocation, so not a retry of withRetries');
      assert.ok(server.stored(`/${BUCKET}/checkpoints/chk-4/op/0/state`)?.equals(bytes));
    } finally {
      await storage.close();
    }
  });

  test('503 until the deadline, also when it falls in the SDK\'s retries: UNAVAILABLE naming SlowDown, its attempt count the requests the server answered', async () => {
    const storage = open({ 's3.retry.deadline': '1500 ms' });
    try {
      const from = server.requests.length;
      server.failNext(1_000_000);
      const started = Date.now();
      const err = await rejectsWith(storage.put('chk-5/op/0/state', Buffer.from('never stored')), 'UNAVAILABLE', server.endpoint);
      const elapsed = Date.now() - started;
      server.failNext(0);
      assert.match(err.message, /SlowDown/);
      assert.match(err.message, /s3\.retry\.deadline/);
      assert.ok(elapsed >= 1400 && elapsed < 4000, `failed after ${elapsed} ms`);
      const answered = requestsFor(from, 'PUT', 'chk-5/op/0/state').length;
      assert.ok(answered >= 2, `${answered} requests`);
      // Every request the SDK made counts, not only withRetries' attempts (one cut by
      // the deadline in flight may not have reached the server's log).
      assert.ok(err.attempts === answered || err.attempts === answered + 1, `attempts ${err.attempts}, requests ${answered}`);
    } finally {
      await storage.close();
    }
  });
});
