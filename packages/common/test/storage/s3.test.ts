import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/s3.js';
import {
  checkpointDiscardPrefix,
  createCheckpointStorage,
  loadConfiguration,
  metadataPath,
  subtaskStatePath,
  type CheckpointStorage,
} from '../../src/index.js';
import { rejectsWith, runConformanceSuite } from './conformance.js';
import { startS3rver, type S3Server } from './s3rver.js';

/**
 * S3CheckpointStorage against a real s3rver process (started by
 * @rivulet/testing's startS3Server): the conformance suite, then entropy,
 * non-transient failures, an endpoint that is down, and one that comes back.
 */
const BUCKET = 'checkpoints';

/** s3rver's settings (with its exceptions, @rivulet/testing's s3rverConfig) and `extra`. */
function s3Config(server: S3Server, extra: Record<string, unknown> = {}) {
  return loadConfiguration({ flags: { ...server.config, ...extra } });
}

// One server for the conformance suite, started lazily by its `open`.
let conformanceServer: S3Server | undefined;
runConformanceSuite({
  name: 's3 (s3rver process)',
  open: async () => {
    conformanceServer = await startS3rver([BUCKET]);
    return createCheckpointStorage(`s3://${BUCKET}/cluster-a/checkpoints`, s3Config(conformanceServer));
  },
  cleanup: async () => conformanceServer?.close(),
});

describe('S3CheckpointStorage against s3rver', () => {
  let server: S3Server;
  const open = (dir: string, extra: Record<string, unknown> = {}): CheckpointStorage =>
    createCheckpointStorage(dir, s3Config(server, extra));
  before(async () => {
    server = await startS3rver([BUCKET]);
  });
  after(async () => server?.close());

  // Why the tests' s3rver settings turn checksums to when-required: under the
  // production default a streamed body goes aws-chunked with a trailing
  // checksum, and s3rver stores the framing as the content. (A Buffer body,
  // which `put` sends, gets a checksum header and survives either way.) When
  // the second test fails, s3rver has learnt aws-chunked and the exception
  // can go.
  const putStreamedAndReadBack = async (extra: Record<string, unknown>, key: string): Promise<{ sent: Buffer; back: Buffer }> => {
    const client = createS3Client(s3Config(server, extra));
    try {
      const sent = Buffer.alloc(256 * 1024, 7);
      const Body = Readable.from([sent.subarray(0, 100_000), sent.subarray(100_000)]);
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body, ContentLength: sent.length }));
      const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return { sent, back: Buffer.from(await out.Body!.transformToByteArray()) };
    } finally {
      client.destroy();
    }
  };

  test("with s3rver's settings (checksums when required) a streamed body is stored intact", async () => {
    const { sent, back } = await putStreamedAndReadBack({}, 'streamed');
    assert.equal(back.length, sent.length);
    assert.ok(back.equals(sent));
  });

  test('with the production default (checksums when supported) s3rver stores the aws-chunked framing as the content', async (t) => {
    const { sent, back } = await putStreamedAndReadBack({ 's3.checksum.request': 'when-supported', 's3.checksum.response': 'when-supported' }, 'streamed-default');
    t.diagnostic(`s3rver stored ${back.length} bytes for ${sent.length} sent`);
    assert.ok(back.length > sent.length, `s3rver stored ${back.length} bytes for ${sent.length} sent`);
    assert.match(back.subarray(0, 16).toString('latin1'), /^[0-9a-f]+\r\n/, 'the object begins with a chunk-size line');
  });

  test('data files get entropy in front, metadata gets the marker removed', async () => {
    const storage = open(`s3://${BUCKET}/entropy`, { 's3.entropy.key': '_entropy_' });
    try {
      assert.equal(storage.entropyKey, '_entropy_');
      const statePath = subtaskStatePath('job-e', 3, 'window-op', 1, storage.entropyKey);
      assert.equal(statePath, '_entropy_/job-e/chk-3/window-op/1/state');
      const written = await storage.put(statePath, Buffer.from('state bytes'), { entropy: true });
      assert.match(written, /^[0-9a-z]{4}\/job-e\/chk-3\/window-op\/1\/state$/);
      assert.equal((await storage.get(written)).toString(), 'state bytes');

      const meta = await storage.put(`_entropy_/${metadataPath('job-e', 3)}`, Buffer.from('meta'));
      assert.equal(meta, 'job-e/chk-3/_metadata');
      assert.equal((await storage.get('_entropy_/job-e/chk-3/_metadata')).toString(), 'meta', 'reads remove the marker too');

      const prefixes = new Set<string>();
      for (let i = 0; i < 12; i += 1) {
        const path = await storage.put(subtaskStatePath('job-e', 3, 'window-op', i + 2, storage.entropyKey), Buffer.from([i]), { entropy: true });
        prefixes.add(path.split('/')[0]!);
      }
      assert.ok(prefixes.size > 1, 'entropy spreads data files over prefixes');
      await storage.put(subtaskStatePath('job-e', 30, 'window-op', 0, storage.entropyKey), Buffer.from('other'), { entropy: true });

      const all = await storage.list(checkpointDiscardPrefix('job-e', 3, storage.entropyKey));
      assert.equal(all.length, 14, 'the marker prefix lists injected files and the metadata');
      assert.equal(await storage.deleteRecursive(checkpointDiscardPrefix('job-e', 3, storage.entropyKey)), 14);
      const left = await storage.list('');
      assert.equal(left.length, 1, 'checkpoint 30 is untouched');
      assert.match(left[0]!.path, /^[0-9a-z]{4}\/job-e\/chk-30\//);
    } finally {
      await storage.close();
    }
  });

  test('s3.entropy.length sets the number of random characters', async () => {
    const storage = open(`s3://${BUCKET}/entropy-len`, { 's3.entropy.key': '_e_', 's3.entropy.length': 7 });
    try {
      const written = await storage.put('_e_/j/chk-1/op/0/state', Buffer.from('x'), { entropy: true });
      assert.match(written, /^[0-9a-z]{7}\/j\/chk-1\/op\/0\/state$/);
    } finally {
      await storage.close();
    }
  });

  test('a missing bucket and bad credentials fail at once, without retrying to the deadline', async () => {
    const missing = open('s3://no-such-bucket/x', { 's3.retry.deadline': '30 s' });
    const denied = open(`s3://${BUCKET}/x`, { 's3.retry.deadline': '30 s', 's3.access-key': 'WRONG', 's3.secret-key': 'WRONG' });
    try {
      const started = Date.now();
      const err = await rejectsWith(missing.get('a/b'), 'NO_SUCH_BUCKET', 's3://no-such-bucket/x/a/b');
      assert.equal(err.attempts, 1);
      await rejectsWith(missing.put('a/b', Buffer.from('x')), 'NO_SUCH_BUCKET');
      await rejectsWith(missing.exists('a/b'), 'NO_SUCH_BUCKET');
      await rejectsWith(missing.list('a'), 'NO_SUCH_BUCKET');
      await rejectsWith(denied.put('a/b', Buffer.from('x')), 'ACCESS_DENIED', `s3://${BUCKET}/x/a/b`);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    } finally {
      await missing.close();
      await denied.close();
    }
  });

  test('endpoint down: after s3.retry.deadline a clear error names the endpoint; restarted: works again', async () => {
    const storage = open(`s3://${BUCKET}/outage`, { 's3.retry.deadline': '1500 ms' });
    try {
      await storage.put('job/chk-1/_metadata', Buffer.from('completed checkpoint'));
      await server.stop();
      const started = Date.now();
      const err = await rejectsWith(storage.put('job/chk-2/op/0/state', Buffer.from('x')), 'UNAVAILABLE', `s3://${BUCKET}/outage/job/chk-2/op/0/state`);
      const elapsed = Date.now() - started;
      assert.ok(err.message.includes(server.endpoint), err.message);
      assert.ok(err.message.includes('s3.retry.deadline'), err.message);
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(err.attempts > 2, `attempts: ${err.attempts}`);
      assert.ok(elapsed >= 1400 && elapsed < 4000, `failed after ${elapsed} ms`);
      await rejectsWith(storage.list('job'), 'UNAVAILABLE', server.endpoint);

      await server.start();
      assert.equal((await storage.get('job/chk-1/_metadata')).toString(), 'completed checkpoint', 'data survives the restart');
      await storage.put('job/chk-2/op/0/state', Buffer.from('after restart'));
      assert.deepEqual((await storage.list('job')).map((o) => o.path), ['job/chk-1/_metadata', 'job/chk-2/op/0/state']);
    } finally {
      await storage.close();
    }
  });

  test('an outage shorter than the deadline is ridden out by retries', async () => {
    const storage = open(`s3://${BUCKET}/blip`, { 's3.retry.deadline': '20 s' });
    try {
      await storage.put('warm', Buffer.from('keep-alive connection in the pool'));
      await server.kill();
      const put = storage.put('job/chk-5/_metadata', Buffer.from('written through a blip'));
      await new Promise((r) => setTimeout(r, 700));
      await server.start();
      assert.equal(await put, 'job/chk-5/_metadata');
      assert.equal((await storage.get('job/chk-5/_metadata')).toString(), 'written through a blip');
    } finally {
      await storage.close();
    }
  });

  test('an abort stops the retries at once', async () => {
    const storage = open(`s3://${BUCKET}/abort`, { 's3.retry.deadline': '30 s' });
    try {
      await server.stop();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const started = Date.now();
      await rejectsWith(storage.get('x/y', { signal: controller.signal }), 'ABORTED', `s3://${BUCKET}/abort/x/y`);
      assert.ok(Date.now() - started < 2000);
      const timed = Date.now();
      await rejectsWith(storage.get('x/y', { deadlineMs: 400 }), 'UNAVAILABLE');
      assert.ok(Date.now() - timed < 2000, 'a per-call deadline overrides s3.retry.deadline');
    } finally {
      await server.start();
      await storage.close();
    }
  });
});
