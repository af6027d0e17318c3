import { createHash } from 'node:crypto';
import { jobBundlePath, type CheckpointStorage } from '@rivulet/common';

/**
 * Job bundles, kept in checkpoint storage next to the job's checkpoints
 * (`<job-id>/bundle/<sha256>.mjs`), so every JobManager that can restore the
 * job's checkpoints can also serve its bundle.
 */
export class BlobStore {
  constructor(private readonly storage: CheckpointStorage) {}

  /** Stores the bundle of `jobId`; resolves with its sha256. */
  async put(jobId: string, bundle: Uint8Array): Promise<string> {
    const sha256 = createHash('sha256').update(bundle).digest('hex');
    await this.storage.put(jobBundlePath(jobId, `${sha256}.mjs`), bundle);
    return sha256;
  }

  async get(jobId: string, sha256: string): Promise<Buffer> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a bundle id: "${sha256}"`);
    return this.storage.get(jobBundlePath(jobId, `${sha256}.mjs`));
  }
}
