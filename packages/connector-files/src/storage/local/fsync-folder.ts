import { open } from 'node:fs/promises';

/** fsyncs a folder, so the names created or renamed in it survive a machine crash. */
export async function fsyncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
