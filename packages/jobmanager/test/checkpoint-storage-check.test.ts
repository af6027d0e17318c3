import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError } from '@rivulet/common';
import { checkpointStorageMismatch } from '../src/resourcemanager/checkpoint-storage-check.js';

const own = { configured: 'file://.rivulet/checkpoints', normalized: 'file:///srv/rivulet/.rivulet/checkpoints' };

describe('a registering TaskManager must use the JobManager\'s execution.checkpointing.dir', () => {
  test('the same location, however written, is accepted', () => {
    assert.equal(checkpointStorageMismatch({ resourceId: 'tm-1', checkpointDir: { configured: '/srv/rivulet/.rivulet/checkpoints/', normalized: own.normalized } }, own), undefined);
  });

  test('a TaskManager that sends no location cannot be checked and is accepted', () => {
    assert.equal(checkpointStorageMismatch({ resourceId: 'tm-1', checkpointDir: null }, own), undefined);
    assert.equal(checkpointStorageMismatch({ resourceId: 'tm-1', checkpointDir: { configured: '', normalized: '' } }, own), undefined);
  });

  test('another location is refused with a ConfigurationError naming both values and the key', () => {
    const err = checkpointStorageMismatch({ resourceId: 'tm-2', checkpointDir: { configured: 's3://bucket/chk', normalized: 's3://bucket/chk' } }, own);
    assert.ok(err instanceof ConfigurationError);
    assert.equal(err.key, 'execution.checkpointing.dir');
    assert.equal(
      err.message,
      'TaskManager tm-2 refused: its execution.checkpointing.dir "s3://bucket/chk" is not this JobManager\'s "file://.rivulet/checkpoints" (file:///srv/rivulet/.rivulet/checkpoints); ' +
        'its checkpoints would be written where no restore reads them: give every JobManager and TaskManager the same execution.checkpointing.dir',
    );
  });
});
