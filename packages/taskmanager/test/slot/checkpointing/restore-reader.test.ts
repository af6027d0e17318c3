import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CheckpointStorageError, loadConfiguration, silentLogger, type CheckpointStorage, type Configuration, type RestoredHandle, type TaskRestore } from '@rivulet/common';
import { s3rverConfig, startS3Server, type StartedS3Server } from '@rivulet/testing';
import { readRestoredKeyGroups, readRestoredState, type RestoredState } from '../../../src/slot/checkpointing/restore-reader.js';
import { RestoreReadError } from '../../../src/slot/checkpointing/restore-read-error.js';
import { StorageProvider } from '../../../src/slot/checkpointing/storage-provider.js';

/**
 * The restore reader against real checkpoint storage (a folder, and S3 on an
 * s3rver process): merged reads give the same bytes as one read per key
 * group, the concurrency bound holds, and failures name what failed and
 * leave nothing running.
 */
const dir = mkdtempSync(join(tmpdir(), 'rivulet-restore-reader-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const OLD_SUBTASKS = 4;
const KEY_GROUPS = 128;
const FOLDER = 'job-1/chk-7';
const SEQUENTIAL = { concurrency: 1, limits: { maxGapBytes: 0, maxReadBytes: 0 } } as const;

/** What a getRange wrapper lets a test do: see reads in flight, delay them, make one fail or come back short. */
interface ReadHooks {
  inFlight: number;
  most: number;
  calls: number;
  delayMs: number;
  /** Called before a read goes to storage; may throw, or return bytes to answer instead. */
  intercept?: (path: string, offset: number, length: number, signal: AbortSignal | undefined) => Promise<Buffer | undefined>;
}

/** A StorageProvider whose storages count and shape `getRange` calls. */
class WatchedProvider extends StorageProvider {
  readonly hooks: ReadHooks = { inFlight: 0, most: 0, calls: 0, delayMs: 0 };
  private readonly wrapped = new Map<string, CheckpointStorage>();

  override forRoot(root: string): CheckpointStorage {
    let storage = this.wrapped.get(root);
    if (!storage) this.wrapped.set(root, (storage = watch(super.forRoot(root), this.hooks)));
    return storage;
  }
}

function watch(inner: CheckpointStorage, hooks: ReadHooks): CheckpointStorage {
  return Object.assign(Object.create(inner) as CheckpointStorage, {
    async getRange(path: string, offset: number, length: number, options?: { signal?: AbortSignal }): Promise<Buffer> {
      hooks.calls += 1;
      hooks.inFlight += 1;
      hooks.most = Math.max(hooks.most, hooks.inFlight);
      try {
        if (hooks.delayMs > 0) await sleep(hooks.delayMs);
        const answer = await hooks.intercept?.(path, offset, length, options?.signal);
        return answer ?? (await inner.getRange(path, offset, length, options));
      } finally {
        hooks.inFlight -= 1;
      }
    },
  });
}

interface WrittenState {
  /** Old subtask -> its file's bytes. */
  readonly files: Buffer[];
  /** Every key group's keyed-state and timer handles. */
  readonly keyedState: RestoredHandle[];
  readonly timers: RestoredHandle[];
}

/** Four old subtasks' state files, 32 key groups each, keyed state then timers per group, of varied sizes. */
async function writeState(storage: CheckpointStorage): Promise<WrittenState> {
  const files: Buffer[] = [];
  const keyedState: RestoredHandle[] = [];
  const timers: RestoredHandle[] = [];
  for (let subtask = 0; subtask < OLD_SUBTASKS; subtask++) {
    const parts: Buffer[] = [];
    let offset = 0;
    const path = `counts/${subtask}/state-0`;
    for (let g = subtask; g < KEY_GROUPS; g += OLD_SUBTASKS) {
      const state = randomBytes(500 + ((g * 7919) % 30_000));
      const timer = randomBytes(g % 5 === 0 ? 0 : 16 + (g % 200));
      keyedState.push({ keyGroup: g, path, offset, length: state.length });
      offset += state.length;
      timers.push({ keyGroup: g, path, offset, length: timer.length });
      offset += timer.length;
      parts.push(state, timer);
    }
    const file = Buffer.concat(parts);
    await storage.put(`${FOLDER}/${path}`, file);
    files.push(file);
  }
  return { files, keyedState, timers };
}

/** A restore of the key groups `owned` picks (a rescale: scattered over every old file). */
function restoreOf(storageUri: string, written: WrittenState, owned: (g: number) => boolean, extra: RestoredHandle[] = []): TaskRestore {
  return {
    checkpointId: 7,
    storageUri,
    folder: FOLDER,
    operators: [
      { operatorId: 'counts', keyedState: [...written.keyedState.filter((h) => owned(h.keyGroup)), ...extra], timers: written.timers.filter((h) => owned(h.keyGroup)), operatorStates: [] },
    ],
  };
}

/** The bytes a handle names, from the files as written. */
function expectedBytes(written: WrittenState, handle: RestoredHandle): Buffer {
  const subtask = Number(/counts\/(\d+)\//.exec(handle.path)![1]);
  return written.files[subtask]!.subarray(handle.offset, handle.offset + handle.length);
}

function assertRestored(restored: RestoredState, written: WrittenState, owned: (g: number) => boolean): void {
  const groups = restored.keyGroups.get('counts');
  assert.ok(groups);
  const wanted = [...Array(KEY_GROUPS).keys()].filter(owned);
  assert.deepEqual([...groups.keys()].sort((a, b) => a - b), wanted);
  for (const handle of written.keyedState.filter((h) => owned(h.keyGroup))) {
    assert.ok(Buffer.from(groups.get(handle.keyGroup)!.keyedState!).equals(expectedBytes(written, handle)), `keyed state of group ${handle.keyGroup}`);
  }
  for (const handle of written.timers.filter((h) => owned(h.keyGroup))) {
    assert.ok(Buffer.from(groups.get(handle.keyGroup)!.timers!).equals(expectedBytes(written, handle)), `timers of group ${handle.keyGroup}`);
  }
}

const rescaled = (g: number): boolean => g % 3 !== 1; // about two thirds of every old file, with holes

function sameBytesAsSequential(name: string, setup: () => { provider: WatchedProvider; root: string; written: () => WrittenState }): void {
  test(`${name}: merged parallel reads give byte for byte what one read per key group gives, in far fewer reads`, async () => {
    const { provider, root, written } = setup();
    const restore = restoreOf(root, written(), rescaled);
    provider.hooks.calls = 0;
    const sequential = await readRestoredState(restore, provider, silentLogger(), SEQUENTIAL);
    const sequentialCalls = provider.hooks.calls;
    provider.hooks.calls = 0;
    const fast = await readRestoredState(restore, provider, silentLogger());
    assertRestored(sequential, written(), rescaled);
    assertRestored(fast, written(), rescaled);
    const handles = restore.operators[0]!.keyedState.length + restore.operators[0]!.timers.length;
    assert.equal(sequentialCalls, handles, 'one read per handle');
    assert.equal(sequential.transfer.remoteReads, handles);
    assert.equal(fast.transfer.remoteReads, provider.hooks.calls);
    assert.ok(fast.transfer.remoteReads <= OLD_SUBTASKS, `${fast.transfer.remoteReads} reads: one per old file (each well under 16 MiB)`);
    assert.deepEqual(fast.stats, sequential.stats);
    assert.equal(fast.stats.remoteHandles, handles);
  });
}

describe('restore reader on a filesystem checkpoint storage', () => {
  const root = `file://${join(dir, 'checkpoints')}`;
  const provider = new WatchedProvider(loadConfiguration({ flags: { 'execution.checkpointing.dir': root } }), silentLogger());
  let written: WrittenState;
  before(async () => {
    written = await writeState(provider.forRoot(root));
  });
  after(() => provider.close());

  sameBytesAsSequential('files', () => ({ provider, root, written: () => written }));

  test('state.restore.concurrency is the default bound; no more reads than it are ever in flight, and it is reached', async () => {
    assert.equal(provider.restoreConcurrency, 4);
    provider.hooks.most = 0;
    provider.hooks.delayMs = 5;
    try {
      const restored = await readRestoredState(restoreOf(root, written, rescaled), provider, silentLogger(), { limits: { maxGapBytes: 0, maxReadBytes: 64 * 1024 } });
      assert.ok(restored.transfer.remoteReads > 12, `${restored.transfer.remoteReads} reads`);
      assert.equal(provider.hooks.most, 4);
      provider.hooks.most = 0;
      await readRestoredState(restoreOf(root, written, rescaled), provider, silentLogger(), { concurrency: 2, limits: { maxGapBytes: 0, maxReadBytes: 64 * 1024 } });
      assert.equal(provider.hooks.most, 2);
    } finally {
      provider.hooks.delayMs = 0;
    }
  });

  test('the configured concurrency and merging switch are read from the configuration', () => {
    const configured = new StorageProvider(
      loadConfiguration({ flags: { 'execution.checkpointing.dir': root, 'state.restore.concurrency': '9', 'state.restore.coalesce-reads': 'false' } }),
      silentLogger(),
    );
    assert.equal(configured.restoreConcurrency, 9);
    assert.equal(configured.restoreCoalescing, false);
    assert.throws(() => loadConfiguration({ flags: { 'state.restore.concurrency': '0' } }), /state\.restore\.concurrency/);
  });

  test('a missing file fails with a RestoreReadError naming checkpoint, file and bytes, the storage error as cause', async () => {
    const missing: RestoredHandle = { keyGroup: 200, path: 'counts/9/state-0', offset: 100, length: 50 };
    const err = await readRestoredState(restoreOf(root, written, (g) => g < 8, [missing]), provider, silentLogger()).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RestoreReadError, String(err));
    assert.match(err.message, /^restoring checkpoint 7: reading bytes 100\.\.149 \(50 bytes\) of file:\/\/.*\/checkpoints\/job-1\/chk-7\/counts\/9\/state-0 failed: /);
    assert.ok(err.cause instanceof CheckpointStorageError);
    assert.equal(err.cause.code, 'NOT_FOUND');
  });

  test('a range past the end of its file fails naming the range (INVALID_RANGE)', async () => {
    const beyond: RestoredHandle = { keyGroup: 0, path: 'counts/0/state-0', offset: written.files[0]!.length - 10, length: 20 };
    const err = await readRestoredState(restoreOf(root, written, () => false, [beyond]), provider, silentLogger()).catch((e: unknown) => e);
    assert.ok(err instanceof RestoreReadError);
    assert.equal((err.cause as CheckpointStorageError).code, 'INVALID_RANGE');
    assert.match(err.message, new RegExp(`reading bytes ${beyond.offset}\\.\\.${beyond.offset + 19} \\(20 bytes\\)`));
  });

  test('a short read is detected', async () => {
    provider.hooks.intercept = async (_path, _offset, length) => (length > 100 ? randomBytes(10) : undefined);
    try {
      const err = await readRestoredState(restoreOf(root, written, rescaled), provider, silentLogger()).catch((e: unknown) => e);
      assert.ok(err instanceof RestoreReadError, String(err));
      assert.match(err.message, /failed: short read: 10 bytes came back$/);
    } finally {
      provider.hooks.intercept = undefined;
    }
  });

  test('one failed read aborts the others and the restore fails only once none is in flight', async () => {
    const aborted: string[] = [];
    let failed = false;
    provider.hooks.intercept = async (path, offset, _length, signal) => {
      if (!failed && path.endsWith('counts/2/state-0')) {
        failed = true;
        await sleep(10);
        throw new Error('injected failure');
      }
      // The others hang until aborted, then settle a little later.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          aborted.push(`${path}@${offset}`);
          setTimeout(resolve, 30);
        }, { once: true });
      });
      signal?.throwIfAborted();
      return undefined;
    };
    try {
      const started = Date.now();
      const err = await readRestoredState(restoreOf(root, written, rescaled), provider, silentLogger(), { concurrency: 4 }).catch((e: unknown) => e);
      assert.ok(err instanceof RestoreReadError, String(err));
      assert.match(err.message, /counts\/2\/state-0 failed: injected failure$/);
      assert.equal(provider.hooks.inFlight, 0, 'no read left running');
      assert.equal(aborted.length, 3, 'the three other reads in flight were aborted');
      assert.ok(Date.now() - started < 2_000, 'did not wait for the hanging reads to end by themselves');
    } finally {
      provider.hooks.intercept = undefined;
    }
  });

  test('a cancelled restore aborts its reads, waits for them and rejects with the cancellation', async () => {
    provider.hooks.calls = 0;
    provider.hooks.delayMs = 100;
    try {
      const cancel = new AbortController();
      const reason = new Error('task cancelled');
      setTimeout(() => cancel.abort(reason), 20);
      const started = Date.now();
      await assert.rejects(
        readRestoredState(restoreOf(root, written, rescaled), provider, silentLogger(), { limits: { maxGapBytes: 0, maxReadBytes: 16 * 1024 }, signal: cancel.signal }),
        (err) => err === reason,
      );
      assert.equal(provider.hooks.inFlight, 0);
      provider.hooks.calls = 0;
      await sleep(150);
      assert.equal(provider.hooks.calls, 0, 'no read started after the cancellation');
      assert.ok(Date.now() - started < 1_000, 'stopped at the first reads, not after all of them (about 2.5 s)');
    } finally {
      provider.hooks.delayMs = 0;
    }
  });

  test('a key group the caller cannot take (decoding fails) fails the restore with that error after the reads settle', async () => {
    provider.hooks.delayMs = 20;
    try {
      const boom = new Error('cannot decode group 5');
      await assert.rejects(
        readRestoredKeyGroups(restoreOf(root, written, rescaled), provider, (part) => {
          if (part.keyGroup === 5) throw boom;
        }, silentLogger(), { limits: { maxGapBytes: 0, maxReadBytes: 32 * 1024 } }),
        (err) => err === boom,
      );
      assert.equal(provider.hooks.inFlight, 0);
    } finally {
      provider.hooks.delayMs = 0;
    }
  });

  test('key groups are handed over as each read comes in, as views of that read\'s buffer (no copy)', async () => {
    const order: string[] = [];
    const buffersPerFile = new Map<number, Set<ArrayBufferLike>>();
    provider.hooks.intercept = async (path) => {
      order.push(`read ${path}`);
      return undefined;
    };
    try {
      await readRestoredKeyGroups(restoreOf(root, written, rescaled), provider, (part) => {
        const file = part.keyGroup % OLD_SUBTASKS;
        if (order.at(-1) !== `got ${file}`) order.push(`got ${file}`);
        const buffers = buffersPerFile.get(file) ?? new Set();
        buffersPerFile.set(file, buffers.add(part.bytes.buffer));
      }, silentLogger(), { concurrency: 1 });
    } finally {
      provider.hooks.intercept = undefined;
    }
    // One read at a time: each file's groups arrive before the next file is read.
    assert.deepEqual(order, ['read job-1/chk-7/counts/0/state-0', 'got 0', 'read job-1/chk-7/counts/1/state-0', 'got 1', 'read job-1/chk-7/counts/2/state-0', 'got 2', 'read job-1/chk-7/counts/3/state-0', 'got 3']);
    // Every key group of a file is a view into the one buffer its read returned.
    assert.deepEqual([...buffersPerFile.values()].map((buffers) => buffers.size), [1, 1, 1, 1]);
  });

  test('the state restored line gives the split and the transfer', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = { ...silentLogger(), info: (fields: Record<string, unknown>, msg: string) => lines.push({ ...fields, msg }) } as unknown as ReturnType<typeof silentLogger>;
    const restored = await readRestoredState(restoreOf(root, written, rescaled), provider, log);
    const line = lines.find((l) => l['msg'] === 'state restored');
    assert.ok(line);
    assert.equal(line['remoteBytes'], restored.stats.remoteBytes);
    assert.equal(line['remoteReads'], 4);
    assert.equal(line['concurrency'], 4);
    assert.ok(Number(line['readBytes']) >= restored.stats.remoteBytes);
    assert.equal(typeof line['ms'], 'number');
  });
});

describe('restore reader on S3 (s3rver)', () => {
  let s3: StartedS3Server;
  let provider: WatchedProvider;
  let written: WrittenState;
  const root = 's3://restore/checkpoints';
  before(async () => {
    s3 = await startS3Server({ buckets: ['restore'] });
    const config: Configuration = loadConfiguration({
      flags: { 'execution.checkpointing.dir': root, ...s3rverConfig(s3), 's3.region': s3.region },
    });
    provider = new WatchedProvider(config, silentLogger());
    written = await writeState(provider.forRoot(root));
  });
  after(async () => {
    await provider?.close();
    await s3?.close();
  });

  sameBytesAsSequential('s3', () => ({ provider, root, written: () => written }));

  test('a missing object names the s3 URI, range and checkpoint', async () => {
    const err = await readRestoredState(restoreOf(root, written, () => false, [{ keyGroup: 1, path: 'counts/9/state-0', offset: 0, length: 10 }]), provider, silentLogger()).catch((e: unknown) => e);
    assert.ok(err instanceof RestoreReadError, String(err));
    assert.match(err.message, /^restoring checkpoint 7: reading bytes 0\.\.9 \(10 bytes\) of s3:\/\/restore\/checkpoints\/job-1\/chk-7\/counts\/9\/state-0 failed: /);
    assert.equal((err.cause as CheckpointStorageError).code, 'NOT_FOUND');
  });
});
