import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isJobDefinition, type CompiledJob, type JobDefinition } from '@rivulet/api';
import { callUnary, errorMessage, type TaskDeploymentDescriptor } from '@rivulet/common';
import type { JobManagerConnection } from '../../control/registration/jobmanager-connection.js';

/**
 * Loads job bundles: fetched once per bundle from the JobManager, checked
 * against their sha256, written under the TaskManager's tmp dir and
 * imported once. Every subtask then compiles its own copy of the job, so
 * subtasks never share function objects (a process function keeps state
 * handles on itself).
 */
export class JobArtifacts {
  private readonly definitions = new Map<string, Promise<JobDefinition>>();

  constructor(
    private readonly connection: JobManagerConnection,
    private readonly directory: string,
  ) {}

  async load(descriptor: TaskDeploymentDescriptor): Promise<CompiledJob> {
    let definition = this.definitions.get(descriptor.bundleSha256);
    if (!definition) {
      definition = this.fetchAndImport(descriptor);
      definition.catch(() => this.definitions.delete(descriptor.bundleSha256));
      this.definitions.set(descriptor.bundleSha256, definition);
    }
    return (await definition).compile({
      defaultParallelism: descriptor.defaultParallelism,
      maxParallelism: descriptor.maxParallelism,
      args: descriptor.args,
      defaultJobName: descriptor.jobName,
    });
  }

  private async fetchAndImport(descriptor: TaskDeploymentDescriptor): Promise<JobDefinition> {
    const registration = await this.connection.whenRegistered(AbortSignal.timeout(30_000));
    const { bundle, sha256 } = await callUnary(registration.client, 'GetJobBundle', { jobId: descriptor.jobId }, {
      timeoutMs: 30_000,
      target: registration.target,
    });
    const actual = createHash('sha256').update(bundle).digest('hex');
    if (actual !== descriptor.bundleSha256 || sha256 !== descriptor.bundleSha256) {
      throw new Error(`job bundle of ${descriptor.jobId} does not match its sha256 (${descriptor.bundleSha256})`);
    }
    await mkdir(this.directory, { recursive: true });
    const path = join(this.directory, `${actual}.mjs`);
    await writeFile(path, bundle);
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    } catch (err) {
      throw new Error(`the job bundle failed to load on this TaskManager: ${errorMessage(err)}`, { cause: err });
    }
    if (!isJobDefinition(module.default)) throw new Error('the job bundle has no job definition as its default export');
    return module.default;
  }
}
