import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EntropyInjector,
  SAVEPOINT_METADATA_PATH,
  checkpointDiscardPrefix,
  checkpointPath,
  jobBundlePath,
  metadataPath,
  parseCheckpointFolder,
  savepointFilePath,
  subtaskStatePath,
} from '../../src/index.js';

describe('EntropyInjector', () => {
  const counter = (): ((bound: number) => number) => {
    let i = 0;
    return (bound) => i++ % bound;
  };

  test('inject replaces the first marker by [0-9a-z] characters', () => {
    const injector = new EntropyInjector('_entropy_', 4, counter());
    assert.equal(injector.inject('_entropy_/job/chk-1/op/0/state'), '0123/job/chk-1/op/0/state');
    assert.equal(injector.inject('root/_entropy_/x'), 'root/4567/x');
    assert.equal(injector.inject('no/marker'), 'no/marker');
    const random = new EntropyInjector('_entropy_', 6);
    for (let i = 0; i < 50; i += 1) assert.match(random.inject('_entropy_/x'), /^[0-9a-z]{6}\/x$/);
  });

  test('remove drops the marker and the segment it leaves empty', () => {
    const injector = new EntropyInjector('_entropy_', 4);
    assert.equal(injector.remove('_entropy_/job/chk-1/_metadata'), 'job/chk-1/_metadata');
    assert.equal(injector.remove('a/_entropy_/b'), 'a/b');
    assert.equal(injector.remove('a/x_entropy_y/b'), 'a/xy/b');
    assert.equal(injector.remove('plain/path'), 'plain/path');
  });

  test('prefixMatcher accepts both resolved forms under the prefix, and nothing else', () => {
    const { listPrefix, matches } = new EntropyInjector('_entropy_', 4).prefixMatcher('_entropy_/job/chk-1');
    assert.equal(listPrefix, '');
    assert.ok(matches('ab12/job/chk-1/op/0/state'));
    assert.ok(matches('job/chk-1/_metadata'));
    assert.ok(!matches('ab12/job/chk-10/op/0/state'));
    assert.ok(!matches('abc/job/chk-1/op/0/state'), 'wrong entropy length');
    assert.ok(!matches('job/chk-10/_metadata'));
    const nested = new EntropyInjector('_entropy_', 4).prefixMatcher('cluster/_entropy_/job');
    assert.equal(nested.listPrefix, 'cluster');
    assert.ok(nested.matches('cluster/zz99/job/chk-1/x'));
  });
});

describe('checkpoint layout', () => {
  test('checkpoint, metadata and subtask state paths', () => {
    assert.equal(checkpointPath('a1b2', 7), 'a1b2/chk-7');
    assert.equal(metadataPath('a1b2', 7), 'a1b2/chk-7/_metadata');
    assert.equal(subtaskStatePath('a1b2', 7, 'counter', 3), 'a1b2/chk-7/counter/3/state');
    assert.equal(subtaskStatePath('a1b2', 7, 'counter', 3, null), 'a1b2/chk-7/counter/3/state');
    assert.equal(subtaskStatePath('a1b2', 7, 'counter', 3, '_entropy_'), '_entropy_/a1b2/chk-7/counter/3/state');
    assert.equal(checkpointDiscardPrefix('a1b2', 7, '_entropy_'), '_entropy_/a1b2/chk-7');
    assert.equal(checkpointDiscardPrefix('a1b2', 7), 'a1b2/chk-7');
    assert.equal(jobBundlePath('a1b2', 'job.mjs'), 'a1b2/bundle/job.mjs');
    assert.equal(parseCheckpointFolder('chk-42'), 42);
    assert.equal(parseCheckpointFolder('chk-x'), null);
  });

  test('operator uids are URI-encoded; ids that would escape a segment are refused', () => {
    assert.equal(subtaskStatePath('j', 1, 'source/kafka', 0), 'j/chk-1/source%2Fkafka/0/state');
    assert.throws(() => checkpointPath('../etc', 1), RangeError);
    assert.throws(() => checkpointPath('j', -1), RangeError);
    assert.throws(() => subtaskStatePath('j', 1, '..', 0), RangeError);
    assert.throws(() => subtaskStatePath('j', 1, 'op', 1.5), RangeError);
  });

  test('a savepoint is self-contained: paths relative to its folder', () => {
    assert.equal(SAVEPOINT_METADATA_PATH, '_metadata');
    assert.equal(savepointFilePath('counter', 'kg-0-31'), 'counter/kg-0-31');
  });
});
