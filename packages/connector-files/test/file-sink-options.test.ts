import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BasePathBucketAssigner,
  DateTimeBucketAssigner,
  DefaultRollingPolicy,
  Encoders,
  FileSink,
  OnCheckpointRollingPolicy,
  OutputFileConfig,
  type FileWriterState,
} from '../src/index.js';
import { abandonedUploads } from '../src/storage/s3/abandoned-uploads.js';
import { resolveS3Settings } from '../src/storage/s3/s3-options.js';
import { parsePartFileName, partFileName } from '../src/writer/part-file-name.js';

/**
 * The FileSink's settings without any storage: the paths it accepts, the
 * checks of every builder option (a FileSinkError naming the sink and the
 * option), the encoders' output, the bucket assigners' ids, the rolling
 * policy's decisions, part file names, the S3 settings' resolution from
 * options and the TaskManager's environment, and which pending uploads a
 * restored writer aborts.
 */

const WHEN = Date.UTC(2024, 0, 2, 3, 4, 5);
const context = (currentProcessingTime: number, timestamp?: number) => ({ currentProcessingTime, timestamp, currentWatermark: -Infinity });

describe('base paths', () => {
  test('s3:// and file:/// are accepted and named by their URI', () => {
    assert.equal(FileSink.forRowFormat('s3://bucket/a/b/', Encoders.jsonLines()).build().basePath, 's3://bucket/a/b');
    assert.equal(FileSink.forRowFormat('s3://bucket', Encoders.jsonLines()).build().basePath, 's3://bucket');
    assert.equal(FileSink.forRowFormat('file:///tmp/out/', Encoders.jsonLines()).build().basePath, 'file:///tmp/out');
  });

  test('another scheme, no scheme, a host in a file URL, a bad bucket name: a FileSinkError naming the path', () => {
    assert.throws(() => FileSink.forRowFormat('hdfs://nn/out', Encoders.jsonLines()), /^FileSinkError: FileSink \(hdfs:\/\/nn\/out\): the base path has the scheme "hdfs:", which the FileSink does not write to: use s3:\/\/bucket\/prefix or file:\/\/\/absolute\/folder$/);
    assert.throws(() => FileSink.forRowFormat('out/files', Encoders.jsonLines()), /FileSink \(out\/files\): the base path has no scheme/);
    assert.throws(() => FileSink.forRowFormat('file://host/out', Encoders.jsonLines()), /names no host .* not "host"/);
    assert.throws(() => FileSink.forRowFormat('s3://B_ad/x', Encoders.jsonLines()), /"B_ad" is not an S3 bucket name/);
    assert.throws(() => FileSink.forRowFormat('s3://bucket//x', Encoders.jsonLines()), /the key prefix has an empty, "\." or "\.\." segment/);
    assert.throws(() => FileSink.forRowFormat('', Encoders.jsonLines()), /no base path given/);
  });
});

describe('builder options', () => {
  const builder = () => FileSink.forRowFormat<{ n: number }>('s3://bucket/out', Encoders.jsonLines());

  test('each bad value names the sink and the option', () => {
    assert.throws(() => FileSink.forRowFormat('s3://bucket/out', 42 as never), /FileSink \(s3:\/\/bucket\/out\): forRowFormat: the encoder must be/);
    assert.throws(() => builder().withBucketAssigner({} as never), /FileSink \(s3:\/\/bucket\/out\): withBucketAssigner: a bucket assigner is/);
    assert.throws(() => builder().withRollingPolicy({} as never), /withRollingPolicy: a rolling policy has shouldRollOnEvent/);
    assert.throws(() => builder().withBucketCheckInterval(0), /withBucketCheckInterval\(0\): must be a positive whole number of ms/);
    assert.throws(() => builder().withOutputFileConfig({ partPrefix: '.hidden' }), /OutputFileConfig: part prefix "\.hidden" must be/);
    assert.throws(() => builder().withOutputFileConfig({ partSuffix: 'a/b' }), /part suffix "a\/b" must be a file name part without "\/"/);
    assert.throws(() => builder().withS3({ endpoint: 'minio:9000' }), /withS3\(\{ endpoint \}\): "minio:9000" is not an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => builder().withS3({ accessKey: 'a' }), /withS3: "secretKey" must be set together with "accessKey"/);
    assert.throws(() => builder().withS3({ partSize: 1024 }), /withS3\(\{ partSize: 1024 \}\) must be a whole number of bytes from 5 MiB/);
    assert.throws(() => builder().withS3({ retryDeadlineMs: -1 }), /retryDeadlineMs: -1/);
    assert.throws(() => builder().withS3({ checksumRequest: 'WHEN_REQUIRED' as never }), /withS3\(\{ checksumRequest: "WHEN_REQUIRED" \}\) must be 'when-supported' or 'when-required'/);
    assert.throws(() => builder().withS3({ checksumResponse: 'off' as never }), /withS3\(\{ checksumResponse: "off" \}\) must be 'when-supported' or 'when-required'/);
    assert.throws(() => FileSink.forRowFormat('file:///tmp/x', Encoders.jsonLines()).withS3({}), /withS3: S3 options given for a path that is not s3:\/\//);
    assert.throws(() => DefaultRollingPolicy.builder().withMaxPartSize(0), /DefaultRollingPolicy\.withMaxPartSize\(0\): must be a positive whole number of bytes/);
    assert.throws(() => DefaultRollingPolicy.builder().withRolloverInterval(1.5), /withRolloverInterval\(1\.5\)/);
    assert.throws(() => DefaultRollingPolicy.builder().withInactivityInterval(-5), /withInactivityInterval\(-5\)/);
    assert.throws(() => Encoders.csv({ columns: [] }), /CSV option "columns" must list at least one column/);
    assert.throws(() => Encoders.csv({ columns: ['a', 3 as never] }), /CSV option "columns"\[1\] is 3/);
    assert.throws(() => Encoders.csv({ columns: ['a'], delimiter: '"' }), /CSV option "delimiter" "\\"" must be/);
    assert.throws(() => new DateTimeBucketAssigner({ timeZone: 'Mars/Olympus' }), /DateTimeBucketAssigner: "Mars\/Olympus" is not a time zone/);
    assert.throws(() => new DateTimeBucketAssigner({ format: "'../'yyyy" }), /the format "'\.\.\/'yyyy" gives bucket ids such as "\.\.\/2024"/);
    assert.throws(() => new DateTimeBucketAssigner({ time: 'wall' as never }), /"time" is "wall", not "processing" or "event"/);
  });

  test('a max part size that S3 could not hold in 10,000 parts is refused at build', () => {
    const huge = DefaultRollingPolicy.builder().withMaxPartSize(60 * 1024 * 1024 * 1024).build();
    assert.throws(() => builder().withRollingPolicy(huge).build(), /max part size 64424509440 needs more than 10000 S3 parts of 5242880 bytes: raise withS3\(\{ partSize \}\)/);
    builder().withRollingPolicy(huge).withS3({ partSize: 64 * 1024 * 1024 }).build();
  });
});

describe('encoders', () => {
  test('JSON lines, lines (String by default, or a function), CSV with chosen columns, quoting and a header', () => {
    assert.equal(Encoders.jsonLines().encode({ a: 1, b: 'x' }), '{"a":1,"b":"x"}\n');
    assert.throws(() => Encoders.jsonLines().encode(undefined), /a undefined record has no JSON form/);
    assert.equal(Encoders.lines().encode(42), '42\n');
    assert.equal(Encoders.lines((r: { n: number }) => `n=${r.n}`).encode({ n: 7 }), 'n=7\n');
    const csv = Encoders.csv<{ user: string; total: number; tags?: string[] }>({ columns: ['user', { key: 'total', header: 'Total' }, 'tags'], header: true });
    assert.equal(csv.header?.(), 'user,Total,tags\n');
    assert.equal(csv.encode({ user: 'a,b', total: 3, tags: ['x'] }), '"a,b",3,"[""x""]"\n');
    assert.equal(csv.encode({ user: 'line\nbreak', total: 1 }), '"line\nbreak",1,\n');
    assert.equal(Encoders.csv({ columns: ['a'] }).header, undefined, 'no header unless asked for');
    assert.equal(Encoders.csv({ columns: ['a', 'b'], delimiter: ';' }).encode({ a: 1, b: 2 }), '1;2\n');
  });
});

describe('bucket assigners', () => {
  test("DateTimeBucketAssigner: hourly yyyy-MM-dd--HH by processing time, a pattern and a time zone, or the record's event time", () => {
    assert.equal(new DateTimeBucketAssigner({ timeZone: 'UTC' }).getBucketId({}, context(WHEN)), '2024-01-02--03');
    assert.equal(new DateTimeBucketAssigner({ timeZone: 'Asia/Kolkata' }).getBucketId({}, context(WHEN)), '2024-01-02--08');
    assert.equal(new DateTimeBucketAssigner({ format: "yyyy/MM/dd/'hour='HH", timeZone: 'UTC' }).getBucketId({}, context(WHEN)), '2024/01/02/hour=03');
    const byEventTime = new DateTimeBucketAssigner({ time: 'event', timeZone: 'UTC', format: 'yyyy-MM-dd' });
    assert.equal(byEventTime.getBucketId({}, context(WHEN, Date.UTC(2020, 5, 7))), '2020-06-07');
    assert.throws(() => byEventTime.getBucketId({}, context(WHEN)), /DateTimeBucketAssigner by event time: the record has no timestamp/);
    assert.equal(new BasePathBucketAssigner().getBucketId(), '');
  });

  test('DateTimeBucketAssigner reuses the id within a second (a ms when the format shows fractions), never across', () => {
    const seconds = new DateTimeBucketAssigner({ format: 'HH-mm-ss', timeZone: 'UTC' });
    assert.deepEqual([WHEN, WHEN + 500, WHEN + 1000, WHEN + 999].map((t) => seconds.getBucketId({}, context(t))), ['03-04-05', '03-04-05', '03-04-06', '03-04-05']);
    const millis = new DateTimeBucketAssigner({ format: "ss'.'SSS", timeZone: 'UTC' });
    assert.deepEqual([WHEN, WHEN + 1, WHEN + 1].map((t) => millis.getBucketId({}, context(t))), ['05.000', '05.001', '05.001']);
    const literalS = new DateTimeBucketAssigner({ format: "'Sales'-HH", timeZone: 'UTC' });
    assert.equal(literalS.getBucketId({}, context(WHEN + 1)), 'Sales-03');
  });
});

describe('rolling policies', () => {
  test("DefaultRollingPolicy: Flink's defaults; rolls above the size before a record, at the rollover or inactivity interval", () => {
    const policy = DefaultRollingPolicy.builder().build();
    assert.deepEqual(policy.settings, { maxPartSize: 128 * 1024 * 1024, rolloverInterval: 60_000, inactivityInterval: 60_000 });
    const custom = DefaultRollingPolicy.builder().withMaxPartSize(100).withRolloverInterval(1000).withInactivityInterval(300).build();
    const file = { bucketId: '', creationTime: 0, lastUpdateTime: 500, size: 100 };
    assert.equal(custom.shouldRollOnEvent(file), false, 'at the size, not above it');
    assert.equal(custom.shouldRollOnEvent({ ...file, size: 101 }), true);
    assert.equal(custom.shouldRollOnProcessingTime(file, 799), false);
    assert.equal(custom.shouldRollOnProcessingTime(file, 800), true, 'inactive for 300 ms');
    assert.equal(custom.shouldRollOnProcessingTime({ ...file, lastUpdateTime: 990 }, 1000), true, 'open for 1000 ms');
    const onCheckpoint = OnCheckpointRollingPolicy.build();
    assert.equal(onCheckpoint.shouldRollOnEvent(), false);
    assert.equal(onCheckpoint.shouldRollOnProcessingTime(), false);
  });
});

describe('part file names and abandoned uploads', () => {
  const writer = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const other = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

  test("names are <prefix>-<writer uuid>-<subtask>-<counter><suffix>, and parse back whatever the prefix and suffix", () => {
    const config = OutputFileConfig.builder().withPartPrefix('out').withPartSuffix('.jsonl').build();
    const name = partFileName(config, writer, 3, 17);
    assert.equal(name, `out-${writer}-3-17.jsonl`);
    assert.deepEqual(parsePartFileName(name), { writerId: writer, subtaskIndex: 3, counter: 17 });
    assert.equal(parsePartFileName('report.csv'), undefined);
  });

  test("a restored writer aborts only the uploads its predecessors began after the checkpoint", () => {
    const states: FileWriterState[] = [{ version: 1, writerId: writer, subtaskIndex: 0, nextCounter: 5 }];
    const uploads = [
      { key: `out/2024-01-02--03/part-${writer}-0-4`, uploadId: 'committable-of-the-checkpoint' },
      { key: `out/2024-01-02--03/part-${writer}-0-5`, uploadId: 'begun-after' },
      { key: `out/2024-01-02--04/part-${writer}-0-9`, uploadId: 'begun-after-elsewhere' },
      { key: `out/2024-01-02--04/part-${other}-1-7`, uploadId: 'another-live-writer' },
      { key: 'out/unrelated-upload', uploadId: 'not-ours' },
    ];
    assert.deepEqual(abandonedUploads(uploads, states).map((u) => u.uploadId), ['begun-after', 'begun-after-elsewhere']);
    assert.deepEqual(abandonedUploads(uploads, []), []);
  });
});

describe('S3 settings', () => {
  test("options first, then the TaskManager's RIVULET_S3_* variables, then defaults; a bad variable is named", () => {
    const env = {
      RIVULET_S3_ENDPOINT: 'http://minio:9000', RIVULET_S3_ACCESS_KEY: 'k', RIVULET_S3_SECRET_KEY: 's', RIVULET_S3_PATH_STYLE_ACCESS: 'true', RIVULET_S3_REGION: 'eu-west-1',
      RIVULET_S3_CHECKSUM_REQUEST: 'when-required',
    };
    assert.deepEqual(resolveS3Settings({}, env), {
      endpoint: 'http://minio:9000', region: 'eu-west-1', pathStyleAccess: true, credentials: { accessKeyId: 'k', secretAccessKey: 's' }, partSize: 5 * 1024 * 1024, retryDeadlineMs: 60_000,
      checksumRequest: 'when-required', checksumResponse: 'when-supported',
    });
    const explicit = resolveS3Settings({ endpoint: 'http://other:1', accessKey: 'a', secretKey: 'b', pathStyleAccess: false, region: 'r', partSize: 6 * 1024 * 1024, retryDeadlineMs: 5, checksumRequest: 'when-supported', checksumResponse: 'when-required' }, env);
    assert.deepEqual(explicit, {
      endpoint: 'http://other:1', region: 'r', pathStyleAccess: false, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, partSize: 6 * 1024 * 1024, retryDeadlineMs: 5,
      checksumRequest: 'when-supported', checksumResponse: 'when-required',
    });
    assert.deepEqual(resolveS3Settings({}, {}), {
      endpoint: undefined, region: 'us-east-1', pathStyleAccess: false, credentials: undefined, partSize: 5 * 1024 * 1024, retryDeadlineMs: 60_000,
      checksumRequest: 'when-supported', checksumResponse: 'when-supported',
    });
    assert.throws(() => resolveS3Settings({}, { RIVULET_S3_CHECKSUM_RESPONSE: 'never' }), /RIVULET_S3_CHECKSUM_RESPONSE=never on this TaskManager is not when-supported or when-required/);
    assert.throws(() => resolveS3Settings({}, { RIVULET_S3_ACCESS_KEY: 'k' }), /RIVULET_S3_ACCESS_KEY is set without RIVULET_S3_SECRET_KEY on this TaskManager/);
    assert.throws(() => resolveS3Settings({}, { RIVULET_S3_PATH_STYLE_ACCESS: 'yes' }), /RIVULET_S3_PATH_STYLE_ACCESS=yes on this TaskManager is not true or false/);
    assert.throws(() => resolveS3Settings({}, { RIVULET_S3_ENDPOINT: 'minio' }), /RIVULET_S3_ENDPOINT: "minio" is not an http/);
  });
});
