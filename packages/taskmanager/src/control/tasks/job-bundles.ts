import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { callUnary, type TaskDeploymentDescriptor } from '@rivulet/common';
import type { JobManagerConnection } from '../registration/jobmanager-connection.js';

/**
 * Job bundles on the control thread: fetched once per job from the
 * JobManager, checked against their sha256 and written to
 * `<work dir>/jobs/<job id>/<sha256>.mjs`, where slot threads import them.
 * The control thread never imports a bundle (user code runs only in slots).
 * `release(jobId)` removes the job's folder once no slot runs it.
 */
export class JobBundles {
  private readonly paths = new Map<string, Promise<string>>();

  constructor(
    private readonly connection: JobManagerConnection,
    private readonly directory: string,
  ) {}

  /** The bundle's path on this TaskManager, fetched on first use. */
  path(descriptor: TaskDeploymentDescriptor): Promise<string> {
    const key = `${descriptor.jobId}/${descriptor.bundleSha256}`;
    let path = this.paths.get(key);
    if (!path) {
      path = this.fetch(descriptor);
      path.catch(() => this.paths.delete(key));
      this.paths.set(key, path);
    }
    return path;
  }

  /** Forgets the job's bundles and removes its folder. */
  async release(jobId: string): Promise<void> {
    for (const key of [...this.paths.keys()]) if (key.startsWith(`${jobId}/`)) this.paths.delete(key);
    await rm(join(this.directory, jobId), { recursive: true, force: true }).catch(() => undefined);
  }

  /** Removes every bundle (the TaskManager stops). */
  async releaseAll(): Promise<void> {
    this.paths.clear();
    await rm(this.directory, { recursive: true, force: true }).catch(() => undefined);
  }

  private async fetch(descriptor: TaskDeploymentDescriptor): Promise<string> {
    const registration = await this.connection.whenRegistered(AbortSignal.timeout(30_000));
    const { bundle, sha256 } = await callUnary(registration.client, 'GetJobBundle', { jobId: descriptor.jobId }, {
      timeoutMs: 30_000,
      target: registration.target,
    });
    const actual = createHash('sha256').update(bundle).digest('hex');
    if (actual !== descriptor.bundleSha256 || sha256 !== descriptor.bundleSha256) {
      throw new Error(`job bundle of ${descriptor.jobId} does not match its sha256 (${descriptor.bundleSha256})`);
    }
    const folder = join(this.directory, descriptor.jobId);
    await mkdir(folder, { recursive: true });
    const path = join(folder, `${actual}.mjs`);
    await writeFile(path, bundle);
    return path;
  }
}
