import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { SinkWriter } from '@rivulet/api';
import {
  BasePathBucketAssigner,
  DateTimeBucketAssigner,
  DefaultRollingPolicy,
  Encoders,
  FileSink,
  OnCheckpointRollingPolicy,
  type FileSinkCommittable,
  type FileWriterState,
  type LocalPartCommittable,
} from '../src/index.js';
import type { FileWriter } from '../src/writer/file-writer.js';
import { COMMITTER_INIT, NO_TIME, at, commitAll, writerInit } from './harness/commit-request.js';
import { filesUnder, inProgressFiles, visibleFiles, visibleLines } from './harness/local-files.js';
import { ManualTime } from './harness/manual-time.js';

/**
 * The FileSink on file:// — writer and committer driven as the Sink API's
 * runtime drives them: part files hidden until their checkpoint is
 * committed, then renamed; commits repeated after a restore are already
 * committed; a restored writer deletes what its predecessor began after the
 * checkpoint; rolling by size, by rollover and inactivity time (a manual
 * clock), on checkpoints only; buckets; names; CSV headers; bad input.
 */

interface Event {
  readonly key: string;
  readonly n: number;
}

const root = mkdtempSync(join(tmpdir(), 'rivulet-local-file-sink-'));
let folders = 0;
after(() => rmSync(root, { recursive: true, force: true }));

function folder(): string {
  folders += 1;
  return join(root, `out${folders}`);
}

const events = (from: number, to: number, keys = 2): Event[] => Array.from({ length: to - from }, (_, i) => ({ key: `k${(from + i) % keys}`, n: from + i }));

async function writeAll<T>(writer: SinkWriter<T, FileSinkCommittable, FileWriterState>, records: readonly T[]): Promise<void> {
  for (const record of records) await writer.write(record, NO_TIME);
}

/** A checkpoint as the runtime takes it: flush, prepareCommit, snapshotState. */
async function checkpoint<T>(writer: SinkWriter<T, FileSinkCommittable, FileWriterState>): Promise<{ committables: FileSinkCommittable[]; state: FileWriterState[] }> {
  await writer.flush(false);
  const committables = await writer.prepareCommit!();
  return { committables, state: await writer.snapshotState!(1) };
}

const byKey = (dir: string) =>
  FileSink.forRowFormat<Event>(`file://${dir}`, Encoders.jsonLines())
    .withBucketAssigner((event) => `key=${event.key}`)
    .withProcessingTimeService(new ManualTime());

describe('FileSink on file://', () => {
  test('part files are hidden until committed, then renamed part-<uuid>-<subtask>-<counter> per bucket; a commit made again is already committed', async () => {
    const dir = folder();
    const sink = byKey(dir).build();
    const writer = await sink.createWriter(writerInit(3));
    await writeAll(writer, events(0, 10));
    const { committables } = await checkpoint(writer);
    assert.equal(committables.length, 2, 'one part file per bucket');
    assert.deepEqual(visibleFiles(dir), [], 'nothing visible before the commit');
    assert.equal(inProgressFiles(dir).length, 2);
    for (const name of inProgressFiles(dir)) assert.match(name, /^key=k[01]\/\.part-[0-9a-f-]{36}-3-[01]\.inprogress\.[0-9a-f-]{36}$/);

    const committer = await sink.createCommitter!(COMMITTER_INIT);
    assert.deepEqual(await commitAll(committer, committables), ['committed', 'committed']);
    assert.deepEqual(inProgressFiles(dir), []);
    assert.deepEqual(visibleFiles(dir).map((name) => name.replace(/-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/, '-UUID-')), ['key=k0/part-UUID-3-0', 'key=k1/part-UUID-3-1']);
    assert.deepEqual(readFileSync(join(dir, visibleFiles(dir)[0]!), 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as Event).n), [0, 2, 4, 6, 8]);

    const restoredCommitter = await sink.createCommitter!(COMMITTER_INIT);
    assert.deepEqual(await commitAll(restoredCommitter, committables), ['already-committed', 'already-committed'], 'idempotent after a restore');
    const lost = { ...(committables[0] as LocalPartCommittable), inProgressPath: join(dir, '.gone.inprogress'), finalPath: join(dir, 'never-written') };
    const [failed] = await commitAll(restoredCommitter, [lost]);
    assert.match((failed as { failed: Error }).failed.message, new RegExp(`^FileSink \\(file://${dir}\\): ${dir}/\\.gone\\.inprogress is missing and ${dir}/never-written was never committed`));
    await writer.close();
  });

  test('restore: the checkpoint\'s committables are committed, the part files begun after it are deleted, the replayed records are written once more', async () => {
    const dir = folder();
    const sink = FileSink.forRowFormat<Event>(`file://${dir}`, Encoders.jsonLines())
      .withBucketAssigner(new BasePathBucketAssigner())
      .withRollingPolicy(DefaultRollingPolicy.builder().withMaxPartSize(64 * 1024).build())
      .withProcessingTimeService(new ManualTime())
      .build();
    const crashed = await sink.createWriter(writerInit());
    await writeAll(crashed, events(0, 100));
    const first = await checkpoint(crashed);
    // After the checkpoint: enough to roll part files (pending) and write out an open one, then the process dies.
    await writeAll(crashed, events(100, 12_000));
    await crashed.flush(false);
    assert.ok(inProgressFiles(dir).length >= 3, `files begun after the checkpoint exist (${inProgressFiles(dir).length})`);

    const restored = await sink.restoreWriter!(writerInit(0, 1), first.state);
    assert.equal(inProgressFiles(dir).length, 1, 'only the checkpoint\'s own part file is left');
    const committer = await sink.createCommitter!(COMMITTER_INIT);
    assert.deepEqual(await commitAll(committer, first.committables), ['committed']);
    await writeAll(restored, events(100, 12_000));
    const second = await checkpoint(restored);
    assert.deepEqual(new Set(await commitAll(committer, second.committables)), new Set(['committed']));
    assert.deepEqual(visibleLines(dir).map((line) => (JSON.parse(line) as Event).n).sort((a, b) => a - b), events(0, 12_000).map((e) => e.n), 'every record exactly once');
    assert.deepEqual(inProgressFiles(dir), []);
    await restored.close();
    await crashed.close();
  });

  test('rolling by size: a part file rolls once it is larger than the max part size, before the next record', async () => {
    const dir = folder();
    const sink = FileSink.forRowFormat<string>(`file://${dir}`, Encoders.lines())
      .withBucketAssigner(new BasePathBucketAssigner())
      .withRollingPolicy(DefaultRollingPolicy.builder().withMaxPartSize(1000).build())
      .withProcessingTimeService(new ManualTime())
      .build();
    const writer = await sink.createWriter(writerInit());
    const line = 'x'.repeat(99); // 100 bytes with its newline
    await writeAll(writer, Array.from({ length: 60 }, () => line));
    const { committables } = await checkpoint(writer);
    await commitAll(await sink.createCommitter!(COMMITTER_INIT), committables);
    const sizes = visibleFiles(dir).map((name) => statSync(join(dir, name)).size);
    assert.deepEqual(sizes.sort((a, b) => a - b), [500, 1100, 1100, 1100, 1100, 1100], '11 records (above 1000 bytes) per part file, the rest at the checkpoint');
    await writer.close();
  });

  test('rolling by processing time (a manual clock): rollover interval and inactivity interval, checked every bucket check interval', async () => {
    const dir = folder();
    const time = new ManualTime();
    const sink = FileSink.forRowFormat<Event>(`file://${dir}`, Encoders.jsonLines())
      .withBucketAssigner((event) => event.key)
      .withRollingPolicy(DefaultRollingPolicy.builder().withRolloverInterval(10_000).withInactivityInterval(3000).build())
      .withBucketCheckInterval(1000)
      .withProcessingTimeService(time)
      .build();
    const writer = await sink.createWriter(writerInit());
    // Bucket "busy" gets a record every second: it rolls when open for 10 s. Bucket "quiet" gets one record: it rolls after 3 s without records.
    await writer.write({ key: 'quiet', n: -1 }, NO_TIME);
    for (let n = 0; n < 15; n += 1) {
      await writer.write({ key: 'busy', n }, NO_TIME);
      await time.advance(1000);
      await writer.flush(false);
      if (n === 2) assert.deepEqual((writer as FileWriter<Event>).openBuckets, ['busy'], 'quiet rolled after 3 s of inactivity');
    }
    const { committables } = await checkpoint(writer);
    await commitAll(await sink.createCommitter!(COMMITTER_INIT), committables);
    const files = visibleFiles(dir);
    const contents = files.map((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Event).n));
    assert.deepEqual(contents.filter((ns) => ns[0] !== -1).sort((a, b) => a[0]! - b[0]!), [
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11, 12, 13, 14],
    ], 'busy rolled at 10 s open, the rest at the checkpoint');
    assert.deepEqual(contents.filter((ns) => ns[0] === -1), [[-1]]);
    await writer.close();
    assert.equal(time.activeTimers, 0, 'close stops the bucket checks');
  });

  test('OnCheckpointRollingPolicy: one part file per bucket and checkpoint, whatever its size or age', async () => {
    const dir = folder();
    const time = new ManualTime();
    const sink = FileSink.forRowFormat<Event>(`file://${dir}`, Encoders.jsonLines())
      .withBucketAssigner((event) => event.key)
      .withRollingPolicy(OnCheckpointRollingPolicy.build())
      .withBucketCheckInterval(1000)
      .withProcessingTimeService(time)
      .build();
    const writer = await sink.createWriter(writerInit());
    for (let n = 0; n < 20_000; n += 1) await writer.write({ key: `k${n % 3}`, n }, NO_TIME);
    await time.advance(120_000);
    const { committables } = await checkpoint(writer);
    assert.equal(committables.length, 3);
    await writer.close();
  });

  test('DateTimeBucketAssigner by event time puts records into the folders of their timestamps; a record without one fails the write, naming the sink', async () => {
    const dir = folder();
    const sink = FileSink.forRowFormat<Event>(`file://${dir}`, Encoders.jsonLines())
      .withBucketAssigner(new DateTimeBucketAssigner({ time: 'event', format: 'yyyy-MM-dd', timeZone: 'UTC' }))
      .withProcessingTimeService(new ManualTime())
      .build();
    const writer = await sink.createWriter(writerInit());
    await writer.write({ key: 'a', n: 1 }, at(Date.UTC(2024, 1, 28, 23, 59)));
    await writer.write({ key: 'a', n: 2 }, at(Date.UTC(2024, 1, 29, 0, 1)));
    const { committables } = await checkpoint(writer);
    await commitAll(await sink.createCommitter!(COMMITTER_INIT), committables);
    assert.deepEqual(visibleFiles(dir).map((name) => name.split('/')[0]), ['2024-02-28', '2024-02-29']);
    await assert.rejects(async () => writer.write({ key: 'a', n: 3 }, NO_TIME), new RegExp(`^FileSinkError: FileSink \\(file://${dir}\\): the bucket assigner failed for a record: DateTimeBucketAssigner by event time: the record has no timestamp`));
    await writer.close();
  });

  test('output file config and CSV: prefix and suffix in the names, a header at the start of every part file', async () => {
    const dir = folder();
    const sink = FileSink.forRowFormat<Event>(`file://${dir}`, Encoders.csv({ columns: ['key', { key: 'n', header: 'number' }], header: true }))
      .withBucketAssigner(new BasePathBucketAssigner())
      .withOutputFileConfig({ partPrefix: 'events', partSuffix: '.csv' })
      .withRollingPolicy(DefaultRollingPolicy.builder().withMaxPartSize(20).build())
      .withProcessingTimeService(new ManualTime())
      .build();
    const writer = await sink.createWriter(writerInit(1));
    await writeAll(writer, events(0, 6));
    const { committables } = await checkpoint(writer);
    await commitAll(await sink.createCommitter!(COMMITTER_INIT), committables);
    const files = visibleFiles(dir);
    assert.ok(files.length >= 2, 'several part files');
    for (const name of files) {
      assert.match(name, /^events-[0-9a-f-]{36}-1-\d+\.csv$/);
      assert.match(readFileSync(join(dir, name), 'utf8'), /^key,number\nk[01],\d+\n/);
    }
    await writer.close();
  });

  test('close discards what no checkpoint holds: open and rolled part files leave nothing behind', async () => {
    const dir = folder();
    const sink = FileSink.forRowFormat<string>(`file://${dir}`, Encoders.lines())
      .withBucketAssigner(new BasePathBucketAssigner())
      .withRollingPolicy(DefaultRollingPolicy.builder().withMaxPartSize(300 * 1024).build())
      .withProcessingTimeService(new ManualTime())
      .build();
    const writer = await sink.createWriter(writerInit());
    await writeAll(writer, Array.from({ length: 8000 }, () => 'y'.repeat(99)));
    await writer.flush(false);
    assert.ok(inProgressFiles(dir).length >= 2);
    await writer.close();
    assert.deepEqual(filesUnder(dir), []);
  });

  describe('bad input: a FileSinkError naming the sink and what failed', () => {
    test('a bucket id that is not a relative path, an encoder that throws', async () => {
      const dir = folder();
      const bad = await byKey(dir).withBucketAssigner((event) => (event.n === 1 ? '../escape' : 'ok')).build().createWriter(writerInit());
      await bad.write({ key: 'a', n: 0 }, NO_TIME);
      await assert.rejects(async () => bad.write({ key: 'a', n: 1 }, NO_TIME), /FileSink \(file:\/\/.*\): the bucket assigner gave the bucket id "\.\.\/escape": a bucket id is a relative path/);
      await bad.close();
      const throwing = await FileSink.forRowFormat<Event>(`file://${folder()}`, () => {
        throw new Error('cannot format');
      }).build().createWriter(writerInit());
      await assert.rejects(async () => throwing.write({ key: 'a', n: 0 }, NO_TIME), /FileSink \(file:\/\/.*\): the encoder failed for a record: cannot format/);
      await throwing.close();
    });

    test('a folder that cannot be created', async () => {
      const file = join(root, 'a-file');
      writeFileSync(file, 'not a folder');
      const sink = FileSink.forRowFormat<Event>(`file://${file}/out`, Encoders.jsonLines()).build();
      await assert.rejects(async () => sink.createWriter(writerInit()), new RegExp(`^FileSinkError: FileSink \\(file://${file}/out\\): cannot create the folder ${file}/out: ENOTDIR`));
    });
  });
});
