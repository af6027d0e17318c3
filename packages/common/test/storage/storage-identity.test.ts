import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ConfigurationError, storageIdentity } from '../../src/index.js';

let dir: string;
before(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'rivulet-storage-identity-')));
  mkdirSync(join(dir, 'checkpoints'));
  symlinkSync(join(dir, 'checkpoints'), join(dir, 'link'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const normalized = (location: string, cwd = dir): string => storageIdentity(location, 'execution.checkpointing.dir', cwd).normalized;

describe('storageIdentity: one folder or bucket/prefix, however it is written', () => {
  test('every way of writing the same folder gives the same text', () => {
    const folder = join(dir, 'checkpoints');
    const expected = `file://${folder}`;
    for (const written of [
      `file://${folder}`, folder, `${folder}/`, `file://${folder}/`, `file://${dir}/./checkpoints`, `${dir}/x/../checkpoints`,
      'file://checkpoints', 'checkpoints', './checkpoints', `file://${join(dir, 'link')}`, join(dir, 'link'),
    ]) {
      assert.equal(normalized(written), expected, written);
    }
    assert.equal(normalized(relative('/', folder), '/'), expected, 'relative to another working directory');
  });

  test('a folder not created yet is compared by its path, its existing part with symlinks resolved', () => {
    assert.equal(normalized(join(dir, 'link', 'later', 'chk')), `file://${join(dir, 'checkpoints', 'later', 'chk')}`);
  });

  test('different folders, a relative path from another working directory, buckets and prefixes differ', () => {
    const all = [
      normalized(join(dir, 'checkpoints')),
      normalized(join(dir, 'other')),
      normalized('checkpoints', join(dir, 'elsewhere')),
      normalized('s3://bucket/checkpoints'),
      normalized('s3://bucket/other'),
      normalized('s3://bucket'),
      normalized('s3://other-bucket/checkpoints'),
    ];
    assert.equal(new Set(all).size, all.length, all.join('\n'));
  });

  test('S3: a trailing slash does not matter, and the configured text is kept', () => {
    assert.deepEqual(storageIdentity('s3://bucket/a/b/'), { configured: 's3://bucket/a/b/', normalized: 's3://bucket/a/b' });
    assert.equal(normalized('s3://bucket/'), 's3://bucket');
  });

  test('a location that is not one fails with the ConfigurationError naming the key', () => {
    assert.throws(() => storageIdentity('ftp://host/x'), (err: unknown) => err instanceof ConfigurationError && /"execution.checkpointing.dir": unsupported scheme "ftp:"/.test(err.message));
  });
});
