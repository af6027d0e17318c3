/**
 * Deletes snapshot folders (Flink's CheckpointsCleaner): aborted checkpoints
 * (again for a task's acknowledgement that arrives after the abort: its
 * files were written after the first deletion), checkpoints pushed out by
 * retention, a job's checkpoints when it ends.
 *
 * Contract: `discard` never rejects — a deletion that fails is logged and
 * leaves an orphan folder, it never fails a checkpoint; `idle()` resolves when
 * every deletion started so far has ended.
 */
import { errorMessage, externalPathOf, type Logger, type SnapshotLocation } from '@rivulet/common';
import { storageOf, type SnapshotStorages } from './checkpoint-storage-access.js';

/** How many aborted checkpoints' folders are remembered for late acknowledgements. */
const RECENTLY_ABORTED = 32;

export class CheckpointCleaner {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly recentlyAborted = new Map<number, SnapshotLocation>();

  constructor(
    private readonly storages: SnapshotStorages,
    private readonly log: Logger,
  ) {}

  /** Deletes the folder of `location` and everything in it; `why` goes to the log. */
  discard(location: SnapshotLocation, why: string): Promise<void> {
    const path = externalPathOf(location, this.storages.checkpointRoot);
    const deletion = (async () => {
      try {
        const storage = storageOf(this.storages, location);
        await storage.deleteRecursive(location.folder);
        // Entropy-injected data files live at <random>/<folder>/…, outside the folder.
        const entropyKey = (storage as { readonly entropyKey?: string | null }).entropyKey;
        if (location.root === null && entropyKey) await storage.deleteRecursive(`${entropyKey}/${location.folder}`);
        this.log.debug({ path, why }, 'deleted snapshot folder');
      } catch (err) {
        this.log.warn({ path, why, err: errorMessage(err) }, 'could not delete snapshot folder; it stays as an orphan');
      }
    })();
    this.inFlight.add(deletion);
    void deletion.finally(() => this.inFlight.delete(deletion));
    return deletion;
  }

  /** Checkpoint `id` was aborted: a late acknowledgement of it deletes its folder again (discardLate). */
  rememberAborted(id: number, location: SnapshotLocation): void {
    this.recentlyAborted.set(id, location);
    if (this.recentlyAborted.size > RECENTLY_ABORTED) this.recentlyAborted.delete(this.recentlyAborted.keys().next().value!);
  }

  /** An acknowledgement of checkpoint `id` came after it was aborted: its files go too. False for a checkpoint not aborted lately. */
  discardLate(id: number): boolean {
    const location = this.recentlyAborted.get(id);
    if (location === undefined) return false;
    void this.discard(location, `late acknowledgement of aborted checkpoint ${id}`);
    return true;
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
