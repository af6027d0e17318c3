import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemCheckpointStorage, createCheckpointStorage, loadConfiguration } from '../../src/index.js';
import { rejectsWith, runConformanceSuite } from './conformance.js';

const suiteDir = mkdtempSync(join(tmpdir(), 'rivulet-fs-storage-'));

runConformanceSuite({
  name: 'filesystem',
  open: async () => createCheckpointStorage(`file://${join(suiteDir, 'conformance')}`, loadConfiguration()),
  cleanup: async () => rmSync(suiteDir, { recursive: true, force: true }),
});

describe('FileSystemCheckpointStorage', () => {
  let dir: string;
  let storage: FileSystemCheckpointStorage;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rivulet-fs-atomic-'));
    storage = new FileSystemCheckpointStorage(join(dir, 'root'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the root folder is created by the first put, and named as a file:// URI', async () => {
    assert.equal(existsSync(join(dir, 'root')), false);
    await storage.put('j/chk-1/_metadata', Buffer.from('m'));
    assert.equal(storage.rootUri, `file://${join(dir, 'root')}`);
    assert.equal(storage.uri('j/chk-1/_metadata'), `file://${join(dir, 'root', 'j', 'chk-1', '_metadata')}`);
  });

  test('readers never see a partially written object', async () => {
    const old = Buffer.alloc(8 * 1024 * 1024, 1);
    const next = randomBytes(24 * 1024 * 1024);
    await storage.put('atomic/state', old);
    let writing = true;
    const written = storage.put('atomic/state', next).finally(() => {
      writing = false;
    });
    let reads = 0;
    while (writing) {
      const seen = await storage.get('atomic/state');
      assert.ok(seen.equals(old) || seen.equals(next), `a read saw ${seen.length} bytes: neither the old nor the new object`);
      const listed = await storage.list('atomic');
      assert.deepEqual(listed.map((o) => o.path), ['atomic/state'], 'no in-progress file is listed');
      assert.ok(listed[0]!.size === old.length || listed[0]!.size === next.length);
      reads += 1;
    }
    await written;
    assert.ok(reads > 0);
    assert.ok((await storage.get('atomic/state')).equals(next));
    assert.deepEqual(readdirSync(join(dir, 'root', 'atomic')), ['state'], 'the temporary file is gone');
  });

  test('a new object is invisible until complete, and a crashed write leaves nothing visible', async () => {
    mkdirSync(join(dir, 'root', 'crash'), { recursive: true });
    writeFileSync(join(dir, 'root', 'crash', '.state.inprogress-0123456789ab'), 'half');
    assert.equal(await storage.exists('crash/state'), false);
    await rejectsWith(storage.get('crash/state'), 'NOT_FOUND');
    assert.deepEqual(await storage.list('crash'), []);
    await storage.deleteRecursive('crash');
    assert.equal(existsSync(join(dir, 'root', 'crash')), false, 'deleteRecursive removes leftovers too');
  });

  test('a folder is not an object: get fails with NOT_FOUND', async () => {
    await storage.put('folder/inner/x', Buffer.from('x'));
    await rejectsWith(storage.get('folder/inner'), 'NOT_FOUND', storage.uri('folder/inner'));
  });

  test('a put below an existing file fails with IO_ERROR naming the URI', async () => {
    await storage.put('file-not-folder', Buffer.from('x'));
    await rejectsWith(storage.put('file-not-folder/child', Buffer.from('y')), 'IO_ERROR', storage.uri('file-not-folder/child'));
  });

  test('a relative file:// root resolves against the working directory', () => {
    const relative = createCheckpointStorage('file://.rivulet/checkpoints', loadConfiguration(), { cwd: dir });
    assert.equal(relative.rootUri, `file://${join(dir, '.rivulet', 'checkpoints')}`);
    assert.equal(relative.kind, 'filesystem');
    assert.equal(relative.entropyKey, null);
  });
});
