import { mkdir, open, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LocalRead, LocalStateAccess, LocalStateFile } from '../../slot/checkpointing/task-checkpointing.js';

export type { LocalRead, LocalStateFile } from '../../slot/checkpointing/task-checkpointing.js';
import {
  checkpointFolderOf,
  errorMessage,
  subtaskStateFolderOf,
  type CheckpointStorage,
  type Configuration,
  type Logger,
} from '@rivulet/common';

/**
 * Local recovery (Flink's `state.backend.local-recovery`): this TaskManager's
 * copies of the state files its subtasks wrote for checkpoints, so that a
 * subtask restored here reads its key groups from local disk and only the
 * rest from checkpoint storage.
 *
 * Layout: `<root>/<job>/chk-<n>/<URI-encoded operator uid>/<subtask>/state-<i>`,
 * the same bytes as the file in checkpoint storage. An in-memory index maps
 * (checkpoint id, the storage file's location) to the local file; the
 * location is `stateFileLocation(...)`, the full URI of the file in storage,
 * computed the same way when writing and when restoring.
 *
 * Invariants:
 * - A copy is indexed only once both its local write and the write to
 *   checkpoint storage succeeded, so an indexed file holds exactly the bytes
 *   a handle names. A process starts with no index, hence `open` wipes the root.
 * - Keeping a copy never fails and never delays a checkpoint: `keep` returns
 *   at once, errors are logged and the copy dropped, and a copy that would
 *   push the bytes waiting to be written locally past `maxPendingBytes` is
 *   skipped.
 * - Only what can still be restored from is kept: checkpoint n completed
 *   drops the job's copies of older checkpoints, an aborted checkpoint's are
 *   dropped, a released job's folder goes. A write that finishes after its
 *   checkpoint or job was dropped deletes its own file.
 */

export interface TaskLocalStateStoreOptions {
  /** Most bytes waiting to be written locally; beyond it copies are skipped. @default 256 MiB */
  readonly maxPendingBytes?: number;
}

interface IndexEntry {
  readonly jobId: string;
  readonly checkpointId: number;
  readonly file: string;
}

/** Retention state of one job; replaced when the job is released, so late writes can tell. */
interface JobState {
  /** Highest checkpoint confirmed complete; copies of older ones are not kept. */
  completed: number;
  readonly aborted: Set<number>;
  /** Index keys of this job's copies. */
  readonly keys: Set<string>;
}

const DEFAULT_MAX_PENDING_BYTES = 256 * 1024 * 1024;
const CHECKPOINT_FOLDER = /^chk-(\d+)$/;


/**
 * The folder of this TaskManager's copies:
 * `<taskmanager.state.local.root-dirs (first of a comma-separated list), else
 * taskmanager.tmp.dirs, else the system temporary folder>/rivulet-local-state-<resource id>`.
 * Always a folder of its own, since it is wiped at start and stop.
 */
export function localStateRootOf(config: Configuration, resourceId: string): string {
  const configured = config['taskmanager.state.local.root-dirs']?.split(',').map((dir) => dir.trim()).find((dir) => dir !== '');
  const base = configured ?? config['taskmanager.tmp.dirs'] ?? tmpdir();
  return join(base, `rivulet-local-state-${resourceId.replace(/[^A-Za-z0-9._-]/g, '_')}`);
}

/**
 * The TaskManager's store when `state.backend.local-recovery` is on, opened
 * (its root wiped); undefined when off, or when the root cannot be prepared
 * (logged: the TaskManager then runs without local recovery).
 */
export async function createLocalStateStore(config: Configuration, resourceId: string, log: Logger): Promise<TaskLocalStateStore | undefined> {
  if (!config['state.backend.local-recovery']) return undefined;
  const store = new TaskLocalStateStore(localStateRootOf(config, resourceId), log.child({ component: 'local-state' }));
  try {
    await store.open();
  } catch (err) {
    log.warn({ root: store.root, err: errorMessage(err) }, 'local recovery disabled: cannot prepare its folder');
    return undefined;
  }
  log.info({ root: store.root }, 'local recovery enabled');
  return store;
}

export class TaskLocalStateStore implements LocalStateAccess {
  private readonly index = new Map<string, IndexEntry>();
  private readonly jobs = new Map<string, JobState>();
  /** Local writes and deletions in flight (awaited by `settled` and `close`). */
  private readonly inFlight = new Set<Promise<void>>();
  /** Copies waiting for their local and remote writes to be indexed (awaited by `settled` only). */
  private readonly keeping = new Set<Promise<void>>();
  private pendingBytes = 0;
  private readonly maxPendingBytes: number;
  private closed = false;

  constructor(
    readonly root: string,
    private readonly log: Logger,
    options: TaskLocalStateStoreOptions = {},
  ) {
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  }

  /** Wipes and recreates the root: copies of an earlier process are not indexed, so never read. */
  async open(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    await mkdir(this.root, { recursive: true });
  }

  /** Number of copies indexed. */
  get size(): number {
    return this.index.size;
  }

  /**
   * Keeps a copy of state file `file` holding `bytes`, once `location` —
   * the file's `stateFileLocation`, resolved when its write to checkpoint
   * storage succeeded — is known. Returns at once; never throws.
   */
  keep(file: LocalStateFile, bytes: Uint8Array, location: Promise<string>): void {
    location.catch(() => undefined); // observed below; never an unhandled rejection
    try {
      this.startCopy(file, bytes, location);
    } catch (err) {
      this.log.warn({ jobId: file.jobId, checkpointId: file.checkpointId, err: errorMessage(err) }, 'could not write a local state copy; dropped');
    }
  }

  private startCopy(file: LocalStateFile, bytes: Uint8Array, location: Promise<string>): void {
    if (this.closed) return;
    const state = this.jobState(file.jobId);
    if (!this.retains(state, file.checkpointId)) return;
    const path = this.pathOf(file);
    if (path === undefined) {
      this.log.debug({ jobId: file.jobId, operatorId: file.operatorId }, 'no local copy: the ids do not make a safe path');
      return;
    }
    if (this.pendingBytes + bytes.byteLength > this.maxPendingBytes) {
      this.log.warn({ jobId: file.jobId, checkpointId: file.checkpointId, pendingBytes: this.pendingBytes }, 'local state copy skipped: local writes are behind');
      return;
    }
    this.pendingBytes += bytes.byteLength;
    const written = this.track(
      mkdir(dirname(path), { recursive: true })
        .then(() => writeFile(path, bytes))
        .finally(() => {
          this.pendingBytes -= bytes.byteLength;
        }),
    );
    const outcome = Promise.allSettled([written, location]).then(([local, remote]) => {
      const dropped = this.closed || this.jobs.get(file.jobId) !== state || !this.retains(state, file.checkpointId);
      if (local.status === 'rejected' && dropped) {
        this.discard(file.jobId, path); // its folder was removed under it: nothing to report
      } else if (local.status === 'rejected') {
        this.log.warn({ jobId: file.jobId, checkpointId: file.checkpointId, file: path, err: errorMessage(local.reason) }, 'could not write a local state copy; dropped');
        this.discard(file.jobId, path);
      } else if (remote.status === 'rejected') {
        this.discard(file.jobId, path); // the checkpoint is declined anyway
      } else if (dropped) {
        this.discard(file.jobId, path); // dropped while being written (after close: the root is wiped)
      } else {
        const key = indexKey(file.checkpointId, remote.value);
        this.index.set(key, { jobId: file.jobId, checkpointId: file.checkpointId, file: path });
        state.keys.add(key);
      }
    });
    this.keeping.add(outcome);
    void outcome.finally(() => this.keeping.delete(outcome));
  }

  /** The local file holding `location` in checkpoint `checkpointId`, if indexed. */
  lookup(checkpointId: number, location: string): string | undefined {
    return this.index.get(indexKey(checkpointId, location))?.file;
  }

  /**
   * Reads `length` bytes at `offset` of the local copy of `location`. A copy
   * that is missing or too short is dropped from the index and reported
   * `unreadable`: the caller reads from checkpoint storage instead.
   */
  async read(checkpointId: number, location: string, offset: number, length: number): Promise<LocalRead> {
    const key = indexKey(checkpointId, location);
    const entry = this.index.get(key);
    if (!entry) return { kind: 'miss' };
    try {
      const handle = await open(entry.file, 'r');
      try {
        const bytes = Buffer.alloc(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(bytes, done, length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        if (done < length) throw new Error(`the file ends before offset ${offset} + length ${length} (read ${done} bytes)`);
        return { kind: 'hit', bytes };
      } finally {
        await handle.close();
      }
    } catch (err) {
      this.index.delete(key);
      this.jobs.get(entry.jobId)?.keys.delete(key);
      return { kind: 'unreadable', file: entry.file, reason: errorMessage(err) };
    }
  }

  /** Checkpoint `checkpointId` of `jobId` completed: copies of the job's older checkpoints go. */
  checkpointCompleted(jobId: string, checkpointId: number): void {
    if (this.closed || !safeSegment(jobId)) return;
    const state = this.jobState(jobId); // also with no copy yet: a later write of an older checkpoint is not kept
    if (checkpointId <= state.completed) return;
    state.completed = checkpointId;
    for (const id of state.aborted) if (id < checkpointId) state.aborted.delete(id);
    this.unindex(state, (entry) => entry.checkpointId < checkpointId);
    // By listing, so that folders of late or failed writes go too.
    const jobFolder = join(this.root, jobId);
    this.remove(readdir(jobFolder).then((names) => Promise.all(names.flatMap((name) => {
      const id = CHECKPOINT_FOLDER.exec(name)?.[1];
      return id !== undefined && Number(id) < checkpointId ? [rm(join(jobFolder, name), { recursive: true, force: true })] : [];
    }))), jobFolder);
  }

  /** Checkpoint `checkpointId` of `jobId` was aborted: its copies go. */
  checkpointAborted(jobId: string, checkpointId: number): void {
    if (this.closed || !safeSegment(jobId)) return;
    const state = this.jobState(jobId);
    if (checkpointId <= state.completed) return;
    state.aborted.add(checkpointId);
    this.unindex(state, (entry) => entry.checkpointId === checkpointId);
    const folder = join(this.root, checkpointFolderOf(jobId, checkpointId));
    this.remove(rm(folder, { recursive: true, force: true }), folder);
  }

  /** The job's slots here were released (it ended, or left this TaskManager): its folder goes. */
  releaseJob(jobId: string): void {
    const state = this.jobs.get(jobId);
    if (state) this.unindex(state, () => true);
    this.jobs.delete(jobId);
    if (this.closed || !safeSegment(jobId)) return;
    this.remove(rm(join(this.root, jobId), { recursive: true, force: true }), join(this.root, jobId));
  }

  /** Resolves when every copy started so far is indexed or dropped, and every deletion done. */
  async settled(): Promise<void> {
    while (this.inFlight.size + this.keeping.size > 0) await Promise.allSettled([...this.inFlight, ...this.keeping]);
  }

  /** Stops keeping copies, waits for local writes in flight and wipes the root (graceful stop). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Local I/O only: a copy still waiting for checkpoint storage is not indexed once closed.
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    // Copies handed over by slot threads know their location already: let them settle so none recreates a folder after the wipe.
    await Promise.allSettled([...this.keeping]);
    this.index.clear();
    this.jobs.clear();
    await rm(this.root, { recursive: true, force: true }).catch((err: unknown) => {
      this.log.warn({ root: this.root, err: errorMessage(err) }, 'could not remove the local state folder');
    });
  }

  private jobState(jobId: string): JobState {
    let state = this.jobs.get(jobId);
    if (!state) {
      state = { completed: -1, aborted: new Set(), keys: new Set() };
      this.jobs.set(jobId, state);
    }
    return state;
  }

  private retains(state: JobState, checkpointId: number): boolean {
    return checkpointId >= state.completed && !state.aborted.has(checkpointId);
  }

  private unindex(state: JobState, drop: (entry: IndexEntry) => boolean): void {
    for (const key of state.keys) {
      const entry = this.index.get(key);
      if (entry && !drop(entry)) continue;
      this.index.delete(key);
      state.keys.delete(key);
    }
  }

  /** Removes a copy that will not be indexed; with no state left for its job, the job's folder. */
  private discard(jobId: string, path: string): void {
    if (this.closed) return;
    if (this.jobs.has(jobId)) this.remove(unlink(path), path);
    else this.remove(rm(join(this.root, jobId), { recursive: true, force: true }), join(this.root, jobId));
  }

  private pathOf(file: LocalStateFile): string | undefined {
    const operatorFolder = subtaskStateFolderOf(file.operatorId, file.subtaskIndex);
    if (!safeSegment(file.jobId) || !operatorFolder.split('/').every(safeSegment)) return undefined;
    return join(this.root, checkpointFolderOf(file.jobId, file.checkpointId), operatorFolder, `state-${file.fileIndex}`);
  }

  /** Tracks a local write or deletion so that `settled` and `close` wait for it. */
  private track<T>(operation: Promise<T>): Promise<T> {
    const tracked = operation.then(() => undefined, () => undefined);
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return operation;
  }

  /** A tracked deletion: what is already gone is fine, other failures are logged. */
  private remove(operation: Promise<unknown>, path: string): void {
    this.track(operation).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.log.warn({ path, err: errorMessage(err) }, 'could not delete a local state copy');
    });
  }
}

function indexKey(checkpointId: number, location: string): string {
  return `${checkpointId} ${location}`;
}

/** A single path segment that stays inside its parent. */
function safeSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !/[/\\\0]/.test(segment);
}
