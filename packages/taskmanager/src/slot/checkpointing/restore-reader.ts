import { isOperatorListStateSnapshot, mergeOperatorListStates, type Logger, type RestoredHandle, type TaskRestore } from '@rivulet/common/task-runtime';
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

/** What a subtask restores, read from storage before it processes a record. */
export interface RestoredState {
  /** Source splits: the unread splits of the old subtasks mapped to this one. */
  readonly sourceSplits: ReadonlyMap<string, unknown[]>;
  /** Non-keyed operator state, merged over the old subtasks mapped to this one. */
  readonly operatorStates: ReadonlyMap<string, unknown>;
  /** Keyed operator id -> key group -> its bytes. */
  readonly keyGroups: ReadonlyMap<string, ReadonlyMap<number, RestoredKeyGroup>>;
  readonly stats: RestoreReadStats;
}

/**
 * Reads exactly the key groups this subtask now owns (byte ranges of the
 * old subtasks' state files) and the operator state mapped to it.
 *
 * A handle whose file this TaskManager kept a copy of for the same
 * checkpoint (local recovery) is read from that copy; the others, and any
 * whose copy turns out missing or short (a warning), from checkpoint storage.
 * Logs the split once ('state restored').
 */
export async function readRestoredState(restore: TaskRestore, provider: StorageProvider, log: Logger = provider.log): Promise<RestoredState> {
  const storage = provider.forRoot(restore.storageUri);
  const local = provider.localState;
  const prefix = restore.folder === '' ? '' : `${restore.folder}/`;
  const stats = { localBytes: 0, remoteBytes: 0, localHandles: 0, remoteHandles: 0 };
  const read = async (handle: RestoredHandle): Promise<Buffer> => {
    const rootRelative = handle.rootRelative === true;
    const source = rootRelative ? provider.checkpoints() : storage;
    if (local) {
      const location = stateFileLocation(source, restore.folder, handle.path, rootRelative);
      const copy = await local.read(restore.checkpointId, location, handle.offset, handle.length);
      if (copy.kind === 'hit') {
        stats.localBytes += handle.length;
        stats.localHandles += 1;
        return copy.bytes;
      }
      if (copy.kind === 'unreadable') {
        log.warn({ checkpointId: restore.checkpointId, location, file: copy.file, reason: copy.reason }, 'local state copy unreadable; reading from checkpoint storage');
      }
    }
    const bytes = await source.getRange(rootRelative ? handle.path : prefix + handle.path, handle.offset, handle.length);
    stats.remoteBytes += handle.length;
    stats.remoteHandles += 1;
    return bytes;
  };
  const sourceSplits = new Map<string, unknown[]>();
  const operatorStates = new Map<string, unknown>();
  const keyGroups = new Map<string, Map<number, RestoredKeyGroup>>();
  for (const operator of restore.operators) {
    const states = operator.operatorStates.filter((state) => state !== null && state !== undefined);
    // Source state is a list of splits. A restored source mapped no old
    // subtask (a rescale up) reads nothing: an empty list, not its initial split.
    // User functions' and sinks' operator list state: the JobManager planned this subtask's share (one state).
    if (states.some(isOperatorListStateSnapshot)) operatorStates.set(operator.operatorId, mergeOperatorListStates(states.filter(isOperatorListStateSnapshot)));
    else if (states.every(Array.isArray)) sourceSplits.set(operator.operatorId, (states as unknown[][]).flat());
    else throw new Error(`operator "${operator.operatorId}": its operator state in checkpoint ${restore.checkpointId} has a format this TaskManager does not know`);
    if (operator.keyedState.length === 0 && operator.timers.length === 0) continue;
    const groups = new Map<number, RestoredKeyGroup>();
    for (const handle of operator.keyedState) {
      groups.set(handle.keyGroup, { ...groups.get(handle.keyGroup), keyedState: await read(handle) });
    }
    for (const handle of operator.timers) {
      groups.set(handle.keyGroup, { ...groups.get(handle.keyGroup), timers: await read(handle) });
    }
    keyGroups.set(operator.operatorId, groups);
  }
  log.info({ checkpointId: restore.checkpointId, ...stats }, 'state restored');
  return { sourceSplits, operatorStates, keyGroups, stats };
}
