import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSinkCommittable, FileWriterState } from '../../committable.js';
import { FileSinkError, reason } from '../../file-sink-error.js';
import type { CommitOutcome, InProgressPartFile, PartFileStore } from '../part-file-store.js';
import { removeAbandonedLocalFiles } from './local-cleanup.js';
import { commitLocalPart } from './local-commit.js';
import { LocalPartFile } from './local-part-file.js';

/** Part files in a folder of the TaskManagers' file system (`file:///…`): hidden in-progress files, committed by rename. */
export class LocalStore implements PartFileStore {
  readonly kind = 'local' as const;

  constructor(
    private readonly sink: string,
    private readonly folder: string,
  ) {}

  async check(): Promise<void> {
    try {
      await mkdir(this.folder, { recursive: true });
    } catch (err) {
      throw new FileSinkError(this.sink, `cannot create the folder ${this.folder}: ${reason(err)}`, { cause: err });
    }
  }

  open(bucketId: string, finishedName: string): InProgressPartFile {
    return new LocalPartFile(this.sink, bucketId === '' ? this.folder : join(this.folder, bucketId), finishedName);
  }

  commit(committable: FileSinkCommittable): Promise<CommitOutcome> {
    if (committable.kind !== 'local') throw new Error(`a committable of kind ${committable.kind} given to the local store`);
    return commitLocalPart(this.sink, committable);
  }

  async removeAbandoned(states: readonly FileWriterState[]): Promise<void> {
    await removeAbandonedLocalFiles(this.folder, states);
  }

  async close(): Promise<void> {
    // Nothing held open between part files.
  }
}
