import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError, createCheckpointStorage, loadConfiguration, parseStorageLocation } from '../../src/index.js';

describe('parseStorageLocation', () => {
  const cwd = '/srv/cluster';

  test('file:///abs, file://relative, plain paths and s3://bucket/prefix', () => {
    assert.deepEqual(parseStorageLocation('file:///var/rivulet/chk', undefined, cwd), { kind: 'filesystem', root: '/var/rivulet/chk' });
    assert.deepEqual(parseStorageLocation('file:///tmp/a%20b/', undefined, cwd), { kind: 'filesystem', root: '/tmp/a b/' });
    assert.deepEqual(parseStorageLocation('file://.rivulet/checkpoints', undefined, cwd), { kind: 'filesystem', root: '/srv/cluster/.rivulet/checkpoints' });
    assert.deepEqual(parseStorageLocation('file://data/chk', undefined, cwd), { kind: 'filesystem', root: '/srv/cluster/data/chk' });
    assert.deepEqual(parseStorageLocation('file:/abs/chk', undefined, cwd), { kind: 'filesystem', root: '/abs/chk' });
    assert.deepEqual(parseStorageLocation('data/chk', undefined, cwd), { kind: 'filesystem', root: '/srv/cluster/data/chk' });
    assert.deepEqual(parseStorageLocation('/srv/chk/', undefined, cwd), { kind: 'filesystem', root: '/srv/chk' });
    assert.deepEqual(parseStorageLocation('s3://my-bucket', undefined, cwd), { kind: 's3', bucket: 'my-bucket', prefix: '' });
    assert.deepEqual(parseStorageLocation('s3://my-bucket/', undefined, cwd), { kind: 's3', bucket: 'my-bucket', prefix: '' });
    assert.deepEqual(parseStorageLocation('S3://my.bucket/flink/chk/', undefined, cwd), { kind: 's3', bucket: 'my.bucket', prefix: 'flink/chk' });
  });

  test('an unknown scheme is a ConfigurationError naming the key and the accepted forms', () => {
    for (const dir of ['hdfs://namenode/chk', 'gs://bucket/chk', 's3a://bucket/chk', 'ftp:x']) {
      assert.throws(
        () => parseStorageLocation(dir),
        (err: unknown) =>
          err instanceof ConfigurationError &&
          err.key === 'execution.checkpointing.dir' &&
          err.message.includes('"execution.checkpointing.dir"') &&
          err.message.includes('unsupported scheme') &&
          err.message.includes('s3://bucket/prefix') &&
          err.exitCode === 2,
        dir,
      );
    }
  });

  test('bad buckets, bad prefixes and empty locations are ConfigurationErrors; the key given is named', () => {
    for (const dir of ['s3://', 's3:///prefix', 's3://Upper_Case/x', 's3://ab', 's3://bucket/a//b', 's3://bucket/../x', '', '   ', 'file://']) {
      assert.throws(() => parseStorageLocation(dir), ConfigurationError, JSON.stringify(dir));
    }
    assert.throws(() => parseStorageLocation('nfs://x', 'savepoint target'), /"savepoint target": unsupported scheme "nfs:"/);
  });
});

describe('createCheckpointStorage', () => {
  const s3 = (extra: Record<string, unknown> = {}) =>
    loadConfiguration({ flags: { 's3.endpoint': 'http://127.0.0.1:9', 's3.path-style-access': true, ...extra } });

  test('chooses the backend by scheme', async () => {
    const fs = createCheckpointStorage('file:///tmp/rivulet-never-written', loadConfiguration());
    assert.equal(fs.kind, 'filesystem');
    assert.equal(fs.rootUri, 'file:///tmp/rivulet-never-written');
    const bucket = createCheckpointStorage('s3://bucket-1/a/b/', s3({ 's3.entropy.key': '_entropy_' }));
    assert.equal(bucket.kind, 's3');
    assert.equal(bucket.rootUri, 's3://bucket-1/a/b');
    assert.equal(bucket.uri('job/chk-1/_metadata'), 's3://bucket-1/a/b/job/chk-1/_metadata');
    assert.equal(bucket.entropyKey, '_entropy_');
    const savepoint = createCheckpointStorage('s3://bucket-1/sp', s3({ 's3.entropy.key': '_entropy_' }), { entropy: false, key: 'savepoint dir' });
    assert.equal(savepoint.entropyKey, null, 'savepoints never get entropy');
    await Promise.all([fs.close(), bucket.close(), savepoint.close()]);
  });

  test('the new keys parse with their defaults', () => {
    const config = loadConfiguration();
    assert.equal(config['s3.entropy.key'], null);
    assert.equal(config['s3.entropy.length'], 4);
    assert.equal(config['s3.retry.deadline'], 60_000);
    assert.equal(loadConfiguration({ env: { RIVULET_S3_RETRY_DEADLINE: '2 s' } })['s3.retry.deadline'], 2000);
    assert.throws(() => loadConfiguration({ flags: { 's3.entropy.length': 0 } }), ConfigurationError);
  });

  test('half-set credentials, a bad endpoint, and a marker in the dir are ConfigurationErrors naming the key', () => {
    assert.throws(() => createCheckpointStorage('s3://bucket-1/x', s3({ 's3.access-key': 'AK' })), (err: unknown) => err instanceof ConfigurationError && err.key === 's3.secret-key');
    assert.throws(() => createCheckpointStorage('s3://bucket-1/x', s3({ 's3.endpoint': 'minio:9000' })), (err: unknown) => err instanceof ConfigurationError && err.key === 's3.endpoint');
    assert.throws(
      () => createCheckpointStorage('s3://bucket-1/_entropy_/chk', s3({ 's3.entropy.key': '_entropy_' })),
      (err: unknown) => err instanceof ConfigurationError && err.key === 'execution.checkpointing.dir' && /entropy marker/.test(err.message),
    );
    assert.throws(() => createCheckpointStorage('s3://bucket-1/x', s3({ 's3.entropy.key': 'a/b' })), (err: unknown) => err instanceof ConfigurationError && err.key === 's3.entropy.key');
  });
});
