/**
 * Turns a fully acknowledged checkpoint into a completed one, and applies
 * retention — the "storing" concern of the coordinator.
 *
 * Contract of `finalize`:
 * - `_metadata` is written first and is the last file of the snapshot; the
 *   checkpoint is recorded in the store (checkpoints only — savepoints never
 *   become the recovery point) only once it is durable;
 * - if the checkpoint was aborted while the metadata was written, or the
 *   write failed, the folder is deleted after the write settled, so no
 *   metadata outlives an abort;
 * - if recording fails the files are kept (the store may hold it after all);
 * - `onDurable` runs between the two steps: from then on the checkpoint can
 *   no longer be aborted.
 */
import { encodeMetadata, externalPathOf, metadataPathOf, type CheckpointMetadata } from '@rivulet/common';
import type { CheckpointCleaner } from './checkpoint-cleaner.js';
import type { ExternalizedCheckpointRetention } from './checkpoint-configuration.js';
import { CheckpointFailures, type CheckpointFailure } from './checkpoint-failure.js';
import { storageOf, type SnapshotStorages } from './checkpoint-storage-access.js';
import type { CompletedCheckpoint, JobEndStatus } from './checkpoint-types.js';
import { discardsOnJobEnd, type CompletedCheckpointStore } from './completed-checkpoint-store.js';
import type { PendingCheckpoint } from './pending-checkpoint.js';

export type FinalizeOutcome =
  /** Durable and recorded; `pushedOut` are older checkpoints retention dropped (files not yet deleted). */
  | { readonly kind: 'completed'; readonly completed: CompletedCheckpoint; readonly pushedOut: readonly CompletedCheckpoint[] }
  /** Writing or recording failed; the caller aborts the checkpoint with `failure`. */
  | { readonly kind: 'failed'; readonly failure: CheckpointFailure }
  /** It had been aborted meanwhile; its folder is deleted. */
  | { readonly kind: 'aborted' };

export interface CheckpointFinalizerDeps {
  readonly jobId: string;
  readonly storages: SnapshotStorages;
  readonly store: CompletedCheckpointStore;
  readonly cleaner: CheckpointCleaner;
  readonly retention: ExternalizedCheckpointRetention;
}

export class CheckpointFinalizer {
  constructor(private readonly deps: CheckpointFinalizerDeps) {}

  async finalize(pending: PendingCheckpoint, isAborted: () => boolean, onDurable: () => void): Promise<FinalizeOutcome> {
    const { location, checkpointId: id } = pending;
    const externalPath = externalPathOf(location, this.deps.storages.checkpointRoot);
    const metadata: CheckpointMetadata = pending.toMetadata(this.deps.jobId, pending.latestAckTimestamp ?? pending.triggerTimestamp);
    try {
      await storageOf(this.deps.storages, location).put(metadataPathOf(location.folder), encodeMetadata(metadata));
    } catch (err) {
      await this.deps.cleaner.discard(location, `checkpoint ${id} failed writing its metadata`);
      return isAborted() ? { kind: 'aborted' } : { kind: 'failed', failure: CheckpointFailures.metadataWriteFailed(metadataPathOf(externalPath), err) };
    }
    if (isAborted()) {
      await this.deps.cleaner.discard(location, `checkpoint ${id} aborted while writing its metadata`);
      return { kind: 'aborted' };
    }
    onDurable();
    const completed: CompletedCheckpoint = { checkpointId: id, kind: pending.kind, location, externalPath, metadata, owned: true };
    if (pending.kind !== 'checkpoint') return { kind: 'completed', completed, pushedOut: [] };
    try {
      return { kind: 'completed', completed, pushedOut: await this.deps.store.add(completed) };
    } catch (err) {
      return { kind: 'failed', failure: CheckpointFailures.recordFailed(err) };
    }
  }

  /**
   * The job ended with `status`: ends the store and deletes what retention
   * says — the owned checkpoints, then the job's checkpoint folder (orphans
   * of failed deletions included) unless a snapshot the job restored from
   * lives in it. Resolves with the number of checkpoints deleted.
   */
  async endOfJob(status: JobEndStatus): Promise<number> {
    const { store, cleaner, jobId, retention } = this.deps;
    const kept = store.all().filter((c) => !c.owned);
    const discard = await store.shutdown(status, retention);
    await Promise.all(discard.map((c) => cleaner.discard(c.location, `job ${status}`)));
    const restoredFromJobFolder = kept.some((c) => c.location.root === null && c.location.folder.startsWith(`${jobId}/`));
    if (discardsOnJobEnd(status, retention) && !restoredFromJobFolder) {
      await cleaner.discard({ root: null, folder: jobId }, `job ${status}`);
    }
    return discard.length;
  }
}
