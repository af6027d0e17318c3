import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SinkWriter } from '@rivulet/api';
import { freePort, s3rverEnvironment, s3rverFileSinkOptions, startS3Server, type StartedS3Server } from '@rivulet/testing';
import {
  BasePathBucketAssigner,
  DefaultRollingPolicy,
  Encoders,
  FileSink,
  OnCheckpointRollingPolicy,
  type FileSinkCommittable,
  type FileSinkS3Options,
  type FileWriterState,
  type S3PartCommittable,
} from '../src/index.js';
import type { S3Store } from '../src/storage/s3/s3-store.js';
import { COMMITTER_INIT, NO_TIME, commitAll, writerInit } from './harness/commit-request.js';
import { ManualTime } from './harness/manual-time.js';
import { objectKeys, objectLines, objectText, s3rverClient } from './harness/s3-objects.js';

/**
 * The FileSink on s3:// against a real s3rver process: part files are
 * multipart uploads assembled from 5 MiB parts and a smaller last one,
 * invisible until completed at commit; commits repeated after a restore are
 * already committed; a commit while the endpoint is down is retried later;
 * a restored writer's cleanup of uploads begun after the checkpoint (which
 * s3rver cannot list: it does not implement ListMultipartUploads); rolling;
 * the RIVULET_S3_* fallback; an unreachable endpoint, a missing bucket and
 * bad credentials named.
 */

const BUCKET = 'results';
const MiB = 1024 * 1024;
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
let s3: StartedS3Server;
let client: S3Client;
let prefixes = 0;

interface Event {
  readonly key: string;
  readonly n: number;
  readonly pad?: string;
}

before(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  client = s3rverClient(s3);
});

after(async () => {
  client?.destroy();
  await s3?.close();
});

function options(extra: FileSinkS3Options = {}): FileSinkS3Options {
  return { ...s3rverFileSinkOptions(s3), retryDeadlineMs: 2000, ...extra };
}

function prefix(): string {
  prefixes += 1;
  return `run${prefixes}`;
}

const events = (from: number, to: number, pad = ''): Event[] => Array.from({ length: to - from }, (_, i) => ({ key: `k${(from + i) % 2}`, n: from + i, ...(pad === '' ? {} : { pad }) }));
const numbers = (lines: readonly string[]): number[] => lines.map((line) => (JSON.parse(line) as Event).n).sort((a, b) => a - b);

async function writeAll<T>(writer: SinkWriter<T, FileSinkCommittable, FileWriterState>, records: readonly T[]): Promise<void> {
  for (const record of records) await writer.write(record, NO_TIME);
}

async function checkpoint<T>(writer: SinkWriter<T, FileSinkCommittable, FileWriterState>): Promise<{ committables: FileSinkCommittable[]; state: FileWriterState[] }> {
  await writer.flush(false);
  const committables = await writer.prepareCommit!();
  return { committables, state: await writer.snapshotState!(1) };
}

describe('FileSink on s3:// against s3rver', { timeout: 90_000 }, () => {
  test('a part file is a multipart upload of 5 MiB parts and a smaller last one, invisible until its commit completes it, byte for byte', async () => {
    const at = prefix();
    const sink = FileSink.forRowFormat<Event>(`s3://${BUCKET}/${at}`, Encoders.jsonLines())
      .withBucketAssigner(new BasePathBucketAssigner())
      .withRollingPolicy(OnCheckpointRollingPolicy.build())
      .withS3(options())
      .withProcessingTimeService(new ManualTime())
      .build();
    const writer = await sink.createWriter(writerInit(2));
    const pad = 'p'.repeat(1000);
    const records = events(0, 12_000, pad); // about 11.8 MiB
    await writeAll(writer, records);
    const { committables } = await checkpoint(writer);
    const [part, ...none] = committables as S3PartCommittable[];
    assert.equal(none.length, 0);
    assert.equal(part!.kind, 's3');
    assert.deepEqual(part!.parts.map((p) => p.partNumber), [1, 2, 3], 'two full 5 MiB parts and the rest');
    assert.match(part!.key, new RegExp(`^${at}/part-[0-9a-f-]{36}-2-0$`));
    assert.deepEqual(await objectKeys(client, BUCKET, at), [], 'nothing visible before the commit');

    const committer = await sink.createCommitter!(COMMITTER_INIT);
    assert.deepEqual(await commitAll(committer, committables), ['committed']);
    const expected = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    assert.equal(part!.size, Buffer.byteLength(expected));
    assert.equal(await objectText(client, BUCKET, part!.key), expected, 'the parts assembled in order');

    const restoredCommitter = await sink.createCommitter!(COMMITTER_INIT);
    assert.deepEqual(await commitAll(restoredCommitter, committables), ['already-committed'], 'a commit made again after a restore');
    await Promise.all([writer.close(), committer.close?.(), restoredCommitter.close?.()]);
  });

  test('buckets and rolling: key prefix / bucket id / part name, a part file per bucket and roll; small files are one-part uploads', async () => {
    const at = prefix();
    const sink = FileSink.forRowFormat<Event>(`s3://${BUCKET}/${at}`, Encoders.jsonLines())
      .withBucketAssigner((event) => `key=${event.key}`)
      .withRollingPolicy(DefaultRollingPolicy.builder().withMaxPartSize(1000).build())
      .withS3(options())
      .withProcessingTimeService(new ManualTime())
      .build();
    const writer = await sink.createWriter(writerInit());
    await writeAll(writer, events(0, 200));
    const { committables } = await checkpoint(writer);
    assert.ok(committables.length > 4, `rolled part files (${committables.length})`);
    assert.ok((committables as S3PartCommittable[]).every((c) => c.parts.length === 1));
    const committer = await sink.createCommitter!(COMMITTER_INIT);
    assert.ok((await commitAll(committer, committables)).every((r) => r === 'committed'));
    const keys = await objectKeys(client, BUCKET, at);
    assert.equal(keys.length, committables.length);
    for (const key of keys) assert.match(key, new RegExp(`^${at}/key=k[01]/part-[0-9a-f-]{36}-0-\\d+$`));
    assert.deepEqual(numbers(await objectLines(client, BUCKET, at)), events(0, 200).map((e) => e.n));
    await Promise.all([writer.close(), committer.close?.()]);
  });

  test('restore: the checkpoint\'s uploads are completed, the replay is written again, each record is visible once; uploads begun after the checkpoint stay invisible (s3rver cannot list them to abort)', async () => {
    const at = prefix();
    const build = () =>
      FileSink.forRowFormat<Event>(`s3://${BUCKET}/${at}`, Encoders.jsonLines())
        .withBucketAssigner(new BasePathBucketAssigner())
        .withS3(options())
        .withProcessingTimeService(new ManualTime())
        .build();
    const pad = 'q'.repeat(500);
    const crashed = await build().createWriter(writerInit());
    await writeAll(crashed, events(0, 3000, pad));
    const first = await checkpoint(crashed);
    await writeAll(crashed, events(3000, 16_000, pad)); // > 5 MiB: an upload with a part, begun after the checkpoint
    await crashed.flush(false);

    const sink = build();
    const committer = await sink.createCommitter!(COMMITTER_INIT);
    assert.deepEqual(await commitAll(committer, first.committables), ['committed'], 'the restored checkpoint\'s upload is completed first');
    const restored = await sink.restoreWriter!(writerInit(0, 1), first.state);
    const cleanup = ((restored as unknown as { options: { store: S3Store } }).options.store).lastCleanup;
    assert.match(cleanup?.skipped ?? '', /ListMultipartUploads s3:\/\/results\/run\d+ failed at S3 endpoint .*: the endpoint does not implement it \(HTTP 501 NotImplemented/);
    await writeAll(restored, events(3000, 16_000, pad));
    const second = await checkpoint(restored);
    assert.ok((await commitAll(committer, second.committables)).every((r) => r === 'committed'));
    assert.deepEqual(numbers(await objectLines(client, BUCKET, at)), events(0, 16_000).map((e) => e.n), 'every record exactly once');
    await Promise.all([restored.close(), crashed.close(), committer.close?.()]);
  });

  test('a commit while the endpoint is down is retried later, and succeeds once it is back', async () => {
    const at = prefix();
    const sink = FileSink.forRowFormat<Event>(`s3://${BUCKET}/${at}`, Encoders.jsonLines())
      .withBucketAssigner(new BasePathBucketAssigner())
      .withS3(options({ retryDeadlineMs: 300 }))
      .withProcessingTimeService(new ManualTime())
      .build();
    const writer = await sink.createWriter(writerInit());
    await writeAll(writer, events(0, 50));
    const { committables } = await checkpoint(writer);
    const committer = await sink.createCommitter!(COMMITTER_INIT);
    await s3.stop();
    try {
      assert.deepEqual(await commitAll(committer, committables), ['retry-later']);
    } finally {
      await s3.start();
    }
    assert.deepEqual(await commitAll(committer, committables), ['committed']);
    assert.equal((await objectLines(client, BUCKET, at)).length, 50);
    await Promise.all([writer.close(), committer.close?.()]);
  });

  test("without withS3, the TaskManager's RIVULET_S3_* variables say how to reach S3", async () => {
    const at = prefix();
    const variables = s3rverEnvironment(s3);
    assert.equal(variables['RIVULET_S3_CHECKSUM_REQUEST'], 'when-required', "s3rver's exceptions reach the sink through the variables too");
    Object.assign(process.env, variables);
    try {
      const sink = FileSink.forRowFormat<Event>(`s3://${BUCKET}/${at}`, Encoders.jsonLines()).withBucketAssigner(new BasePathBucketAssigner()).build();
      const writer = await sink.createWriter(writerInit());
      await writeAll(writer, events(0, 5));
      const committer = await sink.createCommitter!(COMMITTER_INIT);
      await commitAll(committer, (await checkpoint(writer)).committables);
      assert.equal((await objectLines(client, BUCKET, at)).length, 5);
      await Promise.all([writer.close(), committer.close?.()]);
    } finally {
      for (const name of Object.keys(variables)) delete process.env[name];
    }
  });

  describe('bad input: a FileSinkError naming the sink, the call, the endpoint and why', () => {
    const sinkFor = (path: string, s3Options: FileSinkS3Options) => FileSink.forRowFormat<Event>(path, Encoders.jsonLines()).withS3(s3Options).build();

    test('an unreachable endpoint: retried until the retry deadline', async () => {
      const port = await freePort();
      const sink = sinkFor(`s3://${BUCKET}/x`, options({ endpoint: `http://127.0.0.1:${port}`, retryDeadlineMs: 500 }));
      await assert.rejects(
        async () => sink.createWriter(writerInit()),
        new RegExp(`^FileSinkError: FileSink \\(s3://${BUCKET}/x\\): HeadBucket s3://${BUCKET} failed at S3 endpoint http://127\\.0\\.0\\.1:${port}: still failing after \\d+ attempt\\(s\\) in 0\\.\\d s \\(retry deadline 500 ms, withS3\\(\\{ retryDeadlineMs \\}\\)\\): .*ECONNREFUSED`),
      );
    });

    test('a missing bucket', async () => {
      await assert.rejects(async () => sinkFor('s3://no-such-bucket/x', options()).createWriter(writerInit()), /^FileSinkError: FileSink \(s3:\/\/no-such-bucket\/x\): bucket "no-such-bucket" does not exist at S3 endpoint http:\/\/127\.0\.0\.1:\d+$/);
    });

    test('bad credentials', async () => {
      await assert.rejects(
        async () => sinkFor(`s3://${BUCKET}/x`, options({ accessKey: 'nobody', secretKey: 'wrong' })).createWriter(writerInit()),
        /^FileSinkError: FileSink \(s3:\/\/results\/x\): HeadBucket s3:\/\/results failed at S3 endpoint http:\/\/127\.0\.0\.1:\d+: access denied \(HTTP 403/,
      );
    });

    test('a committable of a local path given to an S3 sink (a restore with another path)', async () => {
      const committer = await sinkFor(`s3://${BUCKET}/x`, options()).createCommitter!(COMMITTER_INIT);
      const [result] = await commitAll(committer, [{ version: 1, kind: 'local', inProgressPath: '/tmp/.a.inprogress.x', finalPath: '/tmp/a', size: 1 } as FileSinkCommittable]);
      assert.match((result as { failed: Error }).failed.message, /cannot commit \/tmp\/a \(from a checkpoint\): the sink now writes to S3; restore with the path the checkpoint was taken with/);
      await committer.close?.();
    });
  });
});
