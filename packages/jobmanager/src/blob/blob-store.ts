import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Job bundles, stored by content hash under blob.storage.directory. The
 * checkpoint issue moves bundles into checkpoint storage; the interface stays.
 */
export class BlobStore {
  constructor(private readonly directory: string) {}

  /** Stores the bundle; resolves with its sha256 (its name in the store). */
  async put(bundle: Uint8Array): Promise<string> {
    const sha256 = createHash('sha256').update(bundle).digest('hex');
    await mkdir(this.directory, { recursive: true });
    const path = join(this.directory, `${sha256}.mjs`);
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, bundle);
    await rename(partial, path);
    return sha256;
  }

  async get(sha256: string): Promise<Buffer> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a bundle id: "${sha256}"`);
    return readFile(join(this.directory, `${sha256}.mjs`));
  }
}
