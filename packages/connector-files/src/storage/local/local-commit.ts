import { rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LocalPartCommittable } from '../../committable.js';
import { FileSinkError, reason } from '../../file-sink-error.js';
import type { CommitOutcome } from '../part-file-store.js';
import { fsyncFolder } from './fsync-folder.js';

/**
 * Commits a local part file: renames the in-progress file to its finished
 * name and fsyncs the folder, so the name survives a machine crash.
 * Idempotent: when the in-progress file is gone and the finished file
 * exists (with the committable's size), it was committed before (a restore
 * commits its checkpoint's files again).
 */
export async function commitLocalPart(sink: string, committable: LocalPartCommittable): Promise<CommitOutcome> {
  const { inProgressPath, finalPath, size } = committable;
  try {
    await rename(inProgressPath, finalPath);
    await fsyncFolder(dirname(finalPath));
    return { kind: 'committed' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      return { kind: 'failed', error: new FileSinkError(sink, `cannot rename ${inProgressPath} to ${finalPath}: ${reason(err)}`, { cause: err }) };
    }
  }
  const finished = await stat(finalPath).catch(() => undefined);
  if (finished === undefined) {
    return { kind: 'failed', error: new FileSinkError(sink, `${inProgressPath} is missing and ${finalPath} was never committed (was the in-progress file deleted?)`) };
  }
  if (finished.size !== size) {
    return { kind: 'failed', error: new FileSinkError(sink, `${inProgressPath} is missing and ${finalPath} has ${finished.size} bytes, not the ${size} committed`) };
  }
  return { kind: 'already-committed' };
}
