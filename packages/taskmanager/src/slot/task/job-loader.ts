import { pathToFileURL } from 'node:url';
import { isJobDefinition, type CompiledJob, type JobDefinition } from '@rivulet/api';
import { errorMessage, type TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';

/**
 * Imports job bundles in a slot's thread, once per bundle; every subtask
 * then compiles its own copy of the job, so subtasks never share function
 * objects (a process function keeps state handles on itself). A module
 * cannot be unloaded: the thread that imported it ends with the job's slot.
 */
export class JobLoader {
  private readonly definitions = new Map<string, Promise<JobDefinition>>();

  async load(descriptor: TaskDeploymentDescriptor, bundlePath: string): Promise<CompiledJob> {
    let definition = this.definitions.get(bundlePath);
    if (!definition) {
      definition = importDefinition(bundlePath);
      definition.catch(() => this.definitions.delete(bundlePath));
      this.definitions.set(bundlePath, definition);
    }
    return (await definition).compile({
      defaultParallelism: descriptor.defaultParallelism,
      maxParallelism: descriptor.maxParallelism,
      args: descriptor.args,
      defaultJobName: descriptor.jobName,
    });
  }
}

async function importDefinition(path: string): Promise<JobDefinition> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (err) {
    throw new Error(`the job bundle failed to load on this TaskManager: ${errorMessage(err)}`, { cause: err });
  }
  if (!isJobDefinition(module.default)) throw new Error('the job bundle has no job definition as its default export');
  return module.default;
}
