import type { RestoredHandle, TaskRestore } from '@rivulet/common';
import type { FileSinkState } from '../sinks/transactional-file-sink.js';
import type { StorageProvider } from './storage-provider.js';

export interface RestoredKeyGroup {
  keyedState?: Uint8Array;
  timers?: Uint8Array;
}

/** What a subtask restores, read from storage before it processes a record. */
export interface RestoredState {
  /** Source splits: the unread splits of the old subtasks mapped to this one. */
  readonly sourceSplits: ReadonlyMap<string, unknown[]>;
  /** Non-keyed operator state, merged over the old subtasks mapped to this one. */
  readonly operatorStates: ReadonlyMap<string, unknown>;
  /** Keyed operator id -> key group -> its bytes. */
  readonly keyGroups: ReadonlyMap<string, ReadonlyMap<number, RestoredKeyGroup>>;
}

/**
 * Reads exactly the key groups this subtask now owns (byte ranges of the
 * old subtasks' state files) and the operator state mapped to it.
 */
export async function readRestoredState(restore: TaskRestore, provider: StorageProvider): Promise<RestoredState> {
  const storage = provider.forRoot(restore.storageUri);
  const prefix = restore.folder === '' ? '' : `${restore.folder}/`;
  const read = (handle: RestoredHandle): Promise<Buffer> =>
    handle.rootRelative
      ? provider.checkpoints().getRange(handle.path, handle.offset, handle.length)
      : storage.getRange(prefix + handle.path, handle.offset, handle.length);
  const sourceSplits = new Map<string, unknown[]>();
  const operatorStates = new Map<string, unknown>();
  const keyGroups = new Map<string, Map<number, RestoredKeyGroup>>();
  for (const operator of restore.operators) {
    const states = operator.operatorStates.filter((state) => state !== null && state !== undefined);
    // Source state is a list of splits. A restored source mapped no old
    // subtask (a rescale up) reads nothing: an empty list, not its initial split.
    if (states.every(Array.isArray)) sourceSplits.set(operator.operatorId, (states as unknown[][]).flat());
    else operatorStates.set(operator.operatorId, mergeSinkStates(states as FileSinkState[]));
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
  return { sourceSplits, operatorStates, keyGroups };
}

/** Old subtasks' pending sink files merged, oldest checkpoint first. */
function mergeSinkStates(states: readonly FileSinkState[]): FileSinkState {
  return { pending: states.flatMap((state) => state.pending ?? []).sort((a, b) => a.checkpointId - b.checkpointId) };
}
