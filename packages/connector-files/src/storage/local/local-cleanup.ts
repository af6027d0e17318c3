import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileWriterState } from '../../committable.js';
import { IN_PROGRESS_FILE, parsePartFileName } from '../../writer/part-file-name.js';

/**
 * Deletes the in-progress files under `folder` (all its buckets) that the
 * writers of `states` began after their checkpoint: counter >= the state's
 * next counter. Files of other writers (live ones of other subtasks, other
 * jobs) and the restored checkpoint's own files (lower counters) are left.
 * Returns the paths deleted; a folder that does not exist holds none.
 */
export async function removeAbandonedLocalFiles(folder: string, states: readonly FileWriterState[]): Promise<string[]> {
  if (states.length === 0) return [];
  const nextCounter = new Map(states.map((state) => [state.writerId, state.nextCounter]));
  let names: string[];
  try {
    names = await readdir(folder, { recursive: true });
  } catch {
    return [];
  }
  const deleted: string[] = [];
  for (const name of names) {
    const base = name.slice(name.lastIndexOf('/') + 1);
    const finished = IN_PROGRESS_FILE.exec(base)?.[1];
    const made = finished === undefined ? undefined : parsePartFileName(finished);
    const next = made === undefined ? undefined : nextCounter.get(made.writerId);
    if (made === undefined || next === undefined || made.counter < next) continue;
    const path = join(folder, name);
    await unlink(path).then(() => deleted.push(path), () => undefined);
  }
  return deleted;
}
