import type { Logger, TaskRestore } from '@rivulet/common/task-runtime';
import { readRestoredKeyGroups } from '../checkpointing/restore-reader.js';
import type { StorageProvider } from '../checkpointing/storage-provider.js';
import type { OperatorChain } from './operator-chain.js';

/**
 * Restores the keyed head of `chain` from `restore`: each key group goes to
 * the keyed operator as its read comes in, so decoding overlaps the
 * download. `signal` (the task's cancellation) stops the reads.
 */
export async function restoreKeyedState(restore: TaskRestore, chain: OperatorChain, storage: StorageProvider, log: Logger, signal: AbortSignal): Promise<void> {
  await readRestoredKeyGroups(restore, storage, (part) => {
    if (part.operatorId !== chain.keyedOperatorId) return;
    if (part.kind === 'keyedState') chain.keyed?.restoreKeyGroup(part.keyGroup, part.bytes, undefined);
    else chain.keyed?.restoreKeyGroup(part.keyGroup, undefined, part.bytes);
  }, log, { signal });
}
