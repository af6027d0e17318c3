import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { CheckpointStorageError, isStorageNotFound, type CheckpointStorage, type StorageErrorCode } from '../../src/index.js';

/**
 * The contract of CheckpointStorage (src/storage/checkpoint-storage.ts), run
 * against every backend: filesystem.test.ts and s3.test.ts call it.
 */
export interface ConformanceTarget {
  readonly name: string;
  /** A fresh, empty storage for this suite. */
  open(): Promise<CheckpointStorage>;
  /** Called after the suite (stop servers, remove folders). */
  cleanup(): Promise<void>;
}

const MB = 1024 * 1024;

export async function rejectsWith(promise: Promise<unknown>, code: StorageErrorCode, uriPart?: string): Promise<CheckpointStorageError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof CheckpointStorageError, `expected a CheckpointStorageError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (uriPart !== undefined) assert.ok(err.message.includes(uriPart), `"${err.message}" should name ${uriPart}`);
    return err;
  }
  assert.fail(`expected a ${code} failure`);
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function runConformanceSuite(target: ConformanceTarget): void {
  describe(`CheckpointStorage conformance: ${target.name}`, () => {
    let storage: CheckpointStorage;
    before(async () => {
      storage = await target.open();
    });
    after(async () => {
      await storage?.close();
      await target.cleanup();
    });

    test('put then get returns the same bytes, and put resolves with the path', async () => {
      const bytes = Buffer.from('hello, checkpoint');
      assert.equal(await storage.put('job-a/chk-1/_metadata', bytes), 'job-a/chk-1/_metadata');
      assert.deepEqual(await storage.get('job-a/chk-1/_metadata'), bytes);
    });

    test('an empty object round-trips', async () => {
      await storage.put('empty/object', new Uint8Array(0));
      assert.equal((await storage.get('empty/object')).length, 0);
      assert.equal(await storage.exists('empty/object'), true);
    });

    test('a 20 MB object comes back byte for byte (no aws-chunked framing stored as content)', async () => {
      const bytes = randomBytes(20 * MB);
      await storage.put('big/chk-1/op/0/state', bytes);
      const back = await storage.get('big/chk-1/op/0/state');
      assert.equal(back.length, bytes.length);
      assert.equal(sha(back), sha(bytes));
      const [listed] = await storage.list('big/chk-1/op/0/state');
      assert.equal(listed?.size, bytes.length, 'the stored size is the payload size');
      const slice = await storage.getRange('big/chk-1/op/0/state', 10 * MB + 3, MB);
      assert.ok(slice.equals(bytes.subarray(10 * MB + 3, 11 * MB + 3)));
    });

    test('put replaces an existing object', async () => {
      await storage.put('over/x', Buffer.from('first version'));
      await storage.put('over/x', Buffer.from('second'));
      assert.equal((await storage.get('over/x')).toString(), 'second');
    });

    test('getRange returns exactly the bytes asked for, and refuses ranges past the end', async () => {
      const bytes = randomBytes(1000);
      await storage.put('range/state', bytes);
      assert.ok((await storage.getRange('range/state', 0, 10)).equals(bytes.subarray(0, 10)));
      assert.ok((await storage.getRange('range/state', 990, 10)).equals(bytes.subarray(990)));
      assert.ok((await storage.getRange('range/state', 417, 283)).equals(bytes.subarray(417, 700)));
      assert.equal((await storage.getRange('range/state', 500, 0)).length, 0);
      await rejectsWith(storage.getRange('range/state', 995, 10), 'INVALID_RANGE', storage.uri('range/state'));
      await rejectsWith(storage.getRange('range/state', 2000, 1), 'INVALID_RANGE', storage.uri('range/state'));
      await rejectsWith(storage.getRange('range/state', -1, 1), 'INVALID_RANGE');
      await rejectsWith(storage.getRange('range/missing', 0, 1), 'NOT_FOUND', storage.uri('range/missing'));
    });

    test('exists is true for objects only', async () => {
      await storage.put('ex/a/b', Buffer.from('x'));
      assert.equal(await storage.exists('ex/a/b'), true);
      assert.equal(await storage.exists('ex/a'), false, 'a folder is not an object');
      assert.equal(await storage.exists('ex/a/c'), false);
      assert.equal(await storage.exists('nowhere/at/all'), false);
    });

    test('a missing object is NOT_FOUND, naming the full URI', async () => {
      const err = await rejectsWith(storage.get('job-a/chk-99/_metadata'), 'NOT_FOUND', storage.uri('job-a/chk-99/_metadata'));
      assert.ok(isStorageNotFound(err));
      assert.match(err.message, /^get .* failed: /);
      assert.ok(storage.uri('job-a/chk-99/_metadata').startsWith(storage.rootUri));
    });

    test('list covers nested paths by full prefix, pages past 1000 objects, and sorts', async () => {
      const paths = Array.from({ length: 1100 }, (_, i) => `many/op-${i % 7}/${i % 3}/file-${String(i).padStart(4, '0')}`);
      await forEachLimited(paths, 16, async (path) => {
        await storage.put(path, Buffer.from(path));
      });
      const listed = await storage.list('many');
      assert.equal(listed.length, 1100);
      assert.deepEqual(listed.map((o) => o.path), [...paths].sort());
      assert.ok(listed.every((o) => o.size === Buffer.byteLength(o.path)));
      assert.equal((await storage.list('many/op-3')).length, paths.filter((p) => p.startsWith('many/op-3/')).length);
      assert.equal((await storage.list('many/op-3/')).length, paths.filter((p) => p.startsWith('many/op-3/')).length);
      assert.deepEqual(await storage.list('many/op-9'), []);
    });

    test('a prefix is a folder: chk-1 does not cover chk-10', async () => {
      await storage.put('sib/chk-1/x', Buffer.from('1'));
      await storage.put('sib/chk-10/y', Buffer.from('10'));
      assert.deepEqual((await storage.list('sib/chk-1')).map((o) => o.path), ['sib/chk-1/x']);
      assert.deepEqual((await storage.list('sib')).map((o) => o.path), ['sib/chk-1/x', 'sib/chk-10/y']);
      assert.ok((await storage.list('')).some((o) => o.path === 'sib/chk-10/y'));
    });

    test('deleteRecursive drops a folder, files and all, and nothing beside it', async () => {
      assert.equal(await storage.deleteRecursive('many'), 1100);
      assert.deepEqual(await storage.list('many'), []);
      assert.equal(await storage.deleteRecursive('sib/chk-1'), 1);
      assert.equal(await storage.exists('sib/chk-1/x'), false);
      assert.equal(await storage.exists('sib/chk-10/y'), true);
      assert.equal(await storage.deleteRecursive('never/was'), 0);
    });

    test('delete removes one object; a missing one is fine', async () => {
      await storage.put('del/one', Buffer.from('x'));
      await storage.delete('del/one');
      assert.equal(await storage.exists('del/one'), false);
      await storage.delete('del/one');
    });

    test('paths that would leave the root are refused', async () => {
      for (const bad of ['../escape', '/absolute', 'a//b', 'a/./b', 'a\\b', '']) {
        await rejectsWith(storage.put(bad, Buffer.from('x')), 'INVALID_PATH');
      }
      await rejectsWith(storage.list('../up'), 'INVALID_PATH');
    });

    test('an aborted signal fails the call with ABORTED', async () => {
      const controller = new AbortController();
      controller.abort();
      await rejectsWith(storage.get('job-a/chk-1/_metadata', { signal: controller.signal }), 'ABORTED');
      await rejectsWith(storage.put('abort/x', Buffer.from('x'), { signal: controller.signal }), 'ABORTED');
      assert.equal(await storage.exists('abort/x'), false);
    });

    test('deleteRecursive of the whole root empties the storage', async () => {
      await storage.deleteRecursive('');
      assert.deepEqual(await storage.list(''), []);
    });
  });
}
