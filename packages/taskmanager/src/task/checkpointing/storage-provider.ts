import { createCheckpointStorage, type CheckpointStorage, type Configuration, type Logger } from '@rivulet/common';

/**
 * Opens checkpoint storage once per root: the cluster's checkpoint storage
 * (`execution.checkpointing.dir`) for new checkpoints, and any other root a
 * restore names (a savepoint folder).
 */
export class StorageProvider {
  private readonly byRoot = new Map<string, CheckpointStorage>();

  constructor(
    private readonly config: Configuration,
    private readonly log: Logger,
  ) {}

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
    await Promise.allSettled([...this.byRoot.values()].map((s) => s.close()));
    this.byRoot.clear();
  }
}
