import type { CheckpointStorage, Logger, RestoredHandle, TaskRestore } from '@rivulet/common/task-runtime';
import { forEachBounded } from './bounded-parallel.js';
import { RestoreReadError } from './restore-read-error.js';
import { DEFAULT_COALESCE_LIMITS, planRangeReads, type CoalesceLimits, type PlannedRead, type RangeRequest } from './restore-read-plan.js';
import { restoredOperatorState, type RestoredOperatorState } from './restored-operator-state.js';
import { stateFileLocation } from './state-file-location.js';
import type { StorageProvider } from './storage-provider.js';

export interface RestoredKeyGroup {
  keyedState?: Uint8Array;
  timers?: Uint8Array;
}

/** Where a restore's key-group bytes came from: local copies (local recovery) or checkpoint storage. */
export interface RestoreReadStats {
  readonly localBytes: number;
  readonly remoteBytes: number;
  readonly localHandles: number;
  readonly remoteHandles: number;
}

/** How a restore's reads went: how many ranged reads, their bytes (gaps between key groups included) and the time. */
export interface RestoreTransfer {
  readonly localReads: number;
  readonly remoteReads: number;
  readonly readBytes: number;
  readonly concurrency: number;
  /** From the first read to the last key group handed over (reading and the caller's decoding overlap). */
  readonly ms: number;
  /** Of `ms`: time spent in the caller's `onKeyGroup` (decoding), summed. */
  readonly deliverMs: number;
}

/** One key group's keyed state or timers, as read: a view into the read's buffer (no copy). */
export interface RestoredKeyGroupPart {
  readonly operatorId: string;
  readonly keyGroup: number;
  readonly kind: 'keyedState' | 'timers';
  readonly bytes: Buffer;
}

/** What a subtask restores, read from storage before it processes a record. */
export interface RestoredState extends RestoredOperatorState {
  /** Keyed operator id -> key group -> its bytes. */
  readonly keyGroups: ReadonlyMap<string, ReadonlyMap<number, RestoredKeyGroup>>;
  readonly stats: RestoreReadStats;
  readonly transfer: RestoreTransfer;
}

export interface RestoreReadOptions {
  /** Ranged reads in flight at once; default `state.restore.concurrency` of the provider's configuration. */
  readonly concurrency?: number;
  /** Default: merging on (`state.restore.coalesce-reads`) with DEFAULT_COALESCE_LIMITS. */
  readonly limits?: CoalesceLimits;
  /** Stops the restore (the task was cancelled): reads in flight are aborted and awaited, then it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Whence a planned read's bytes come: one state file, under the storage that holds it. */
interface StateFile {
  readonly source: CheckpointStorage;
  /** As `source.getRange` takes it. */
  readonly path: string;
  /** Its full URI: the local-recovery index key and the name in messages. */
  readonly location: string;
}

interface PartTarget {
  readonly operatorId: string;
  readonly keyGroup: number;
  readonly kind: RestoredKeyGroupPart['kind'];
}

/**
 * Reads exactly the key groups this subtask now owns (byte ranges of the
 * old subtasks' state files) and hands each to `onKeyGroup` as soon as its
 * read is in, so decoding early key groups overlaps the download of later
 * ones.
 *
 * Ranges of the same file are merged into few large ranged reads
 * (restore-read-plan.ts), at most `concurrency` in flight. A read whose file
 * this TaskManager kept a copy of for the same checkpoint (local recovery)
 * is served from that copy; the others, and any whose copy turns out
 * missing or short (a warning), from checkpoint storage. The first failure
 * (a read, or `onKeyGroup` throwing) aborts the other reads and is thrown
 * once none is left running; a read's failure is a RestoreReadError naming
 * the checkpoint, file and bytes. `options.signal` stops it the same way.
 * Logs the split once ('state restored').
 */
export async function readRestoredKeyGroups(
  restore: TaskRestore,
  provider: StorageProvider,
  onKeyGroup: (part: RestoredKeyGroupPart) => void,
  log: Logger = provider.log,
  options: RestoreReadOptions = {},
): Promise<{ stats: RestoreReadStats; transfer: RestoreTransfer }> {
  const started = performance.now();
  const concurrency = options.concurrency ?? provider.restoreConcurrency;
  const limits = options.limits ?? (provider.restoreCoalescing ? DEFAULT_COALESCE_LIMITS : { ...DEFAULT_COALESCE_LIMITS, maxReadBytes: 0 });
  const files = new Map<string, StateFile>();
  const requests: RangeRequest<PartTarget>[] = [];
  const storage = provider.forRoot(restore.storageUri);
  const prefix = restore.folder === '' ? '' : `${restore.folder}/`;
  const request = (operatorId: string, kind: PartTarget['kind'], handle: RestoredHandle): void => {
    const rootRelative = handle.rootRelative === true;
    const source = rootRelative ? provider.checkpoints() : storage;
    const location = stateFileLocation(source, restore.folder, handle.path, rootRelative);
    if (!files.has(location)) files.set(location, { source, path: rootRelative ? handle.path : prefix + handle.path, location });
    requests.push({ file: location, offset: handle.offset, length: handle.length, target: { operatorId, keyGroup: handle.keyGroup, kind } });
  };
  for (const operator of restore.operators) {
    for (const handle of operator.keyedState) request(operator.operatorId, 'keyedState', handle);
    for (const handle of operator.timers) request(operator.operatorId, 'timers', handle);
  }
  const stats = { localBytes: 0, remoteBytes: 0, localHandles: 0, remoteHandles: 0 };
  const transfer = { localReads: 0, remoteReads: 0, readBytes: 0, concurrency, ms: 0, deliverMs: 0 };
  const reads = planRangeReads(requests, limits);
  await forEachBounded(reads, concurrency, async (read, signal) => {
    const file = files.get(read.file)!;
    const { bytes, local } = await readOne(restore.checkpointId, file, read, provider, log, signal);
    const handed = bytesOf(read);
    if (local) {
      transfer.localReads += 1;
      stats.localBytes += handed;
      stats.localHandles += read.slices.length;
    } else {
      transfer.remoteReads += 1;
      stats.remoteBytes += handed;
      stats.remoteHandles += read.slices.length;
    }
    transfer.readBytes += read.length;
    signal.throwIfAborted(); // another read failed meanwhile: hand nothing more over
    const delivering = performance.now();
    for (const slice of read.slices) {
      onKeyGroup({ ...slice.target, bytes: bytes.subarray(slice.start, slice.start + slice.length) });
    }
    transfer.deliverMs += performance.now() - delivering;
  }, options.signal);
  transfer.ms = Math.round(performance.now() - started);
  transfer.deliverMs = Math.round(transfer.deliverMs);
  log.info({ checkpointId: restore.checkpointId, ...stats, ...transfer }, 'state restored');
  return { stats, transfer };
}

/**
 * Reads the source splits, operator state and key groups `restore` maps to
 * this subtask, the key groups collected into maps (readRestoredKeyGroups
 * hands them over one by one instead).
 */
export async function readRestoredState(restore: TaskRestore, provider: StorageProvider, log: Logger = provider.log, options: RestoreReadOptions = {}): Promise<RestoredState> {
  const operatorState = restoredOperatorState(restore);
  const keyGroups = new Map<string, Map<number, RestoredKeyGroup>>();
  for (const operator of restore.operators) {
    if (operator.keyedState.length > 0 || operator.timers.length > 0) keyGroups.set(operator.operatorId, new Map());
  }
  const { stats, transfer } = await readRestoredKeyGroups(
    restore,
    provider,
    (part) => {
      const groups = keyGroups.get(part.operatorId)!;
      groups.set(part.keyGroup, { ...groups.get(part.keyGroup), [part.kind]: part.bytes });
    },
    log,
    options,
  );
  return { ...operatorState, keyGroups, stats, transfer };
}

/** Bytes the caller gets from `read` (the gaps between its slices not counted). */
function bytesOf(read: PlannedRead<unknown>): number {
  return read.slices.reduce((n, slice) => n + slice.length, 0);
}

/** One planned read: from the local copy when there is a usable one, else from checkpoint storage; exactly `read.length` bytes. */
async function readOne(
  checkpointId: number,
  file: StateFile,
  read: PlannedRead<unknown>,
  provider: StorageProvider,
  log: Logger,
  signal: AbortSignal,
): Promise<{ bytes: Buffer; local: boolean }> {
  const local = provider.localState;
  if (local) {
    const copy = await local.read(checkpointId, file.location, read.offset, read.length);
    if (copy.kind === 'hit' && copy.bytes.byteLength === read.length) return { bytes: copy.bytes, local: true };
    if (copy.kind === 'hit') {
      log.warn({ checkpointId, location: file.location, reason: `${copy.bytes.byteLength} bytes instead of ${read.length}` }, 'local state copy unreadable; reading from checkpoint storage');
    } else if (copy.kind === 'unreadable') {
      log.warn({ checkpointId, location: file.location, file: copy.file, reason: copy.reason }, 'local state copy unreadable; reading from checkpoint storage');
    }
  }
  signal.throwIfAborted();
  let bytes: Buffer;
  try {
    bytes = await file.source.getRange(file.path, read.offset, read.length, { signal });
  } catch (err) {
    throw new RestoreReadError(checkpointId, file.location, read.offset, read.length, err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (bytes.byteLength !== read.length) {
    throw new RestoreReadError(checkpointId, file.location, read.offset, read.length, `short read: ${bytes.byteLength} bytes came back`);
  }
  return { bytes, local: false };
}
