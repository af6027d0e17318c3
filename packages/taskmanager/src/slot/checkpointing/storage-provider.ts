import { createCheckpointStorage, type CheckpointStorage, type Configuration, type Logger } from '@rivulet/common/task-runtime';
import type { LocalStateAccess } from './task-checkpointing.js';

/**
 * Opens checkpoint storage once per root: the cluster's checkpoint storage
 * (`execution.checkpointing.dir`) for new checkpoints, and any other root a
 * restore names (a savepoint folder). Also holds the TaskManager's local
 * copies of snapshots (local recovery) when it keeps any; `close` closes them.
 */
export class StorageProvider {
  private readonly byRoot = new Map<string, CheckpointStorage>();
  private local: LocalStateAccess | undefined;

  constructor(
    private readonly config: Configuration,
    readonly log: Logger,
  ) {}

  /** Local copies restores read first; undefined without local recovery. */
  get localState(): LocalStateAccess | undefined {
    return this.local;
  }

  /** Set once at TaskManager start, when `state.backend.local-recovery` is on. */
  useLocalState(store: LocalStateAccess | undefined): void {
    this.local = store;
  }

  /** Ranged reads a restoring subtask keeps in flight (`state.restore.concurrency`). */
  get restoreConcurrency(): number {
    return this.config['state.restore.concurrency'];
  }

  /** Whether a restore merges nearby key groups of a file into one ranged read (`state.restore.coalesce-reads`). */
  get restoreCoalescing(): boolean {
    return this.config['state.restore.coalesce-reads'];
  }

  checkpoints(): CheckpointStorage {
    return this.forRoot(this.config['execution.checkpointing.dir']);
  }

  forRoot(root: string): CheckpointStorage {
    let storage = this.byRoot.get(root);
    if (!storage) {
      storage = createCheckpointStorage(root, this.config, { logger: this.log });
      this.byRoot.set(root, storage);
    }
    return storage;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...[...this.byRoot.values()].map((s) => s.close()), (this.local as { close?: () => Promise<void> } | undefined)?.close?.()]);
    this.byRoot.clear();
  }
}
