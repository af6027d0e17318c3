import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isJobDefinition, type JobGraph } from '@rivulet/api';
import { RivuletError, errorMessage } from '@rivulet/common/client';

/** Params that name files or folders; the CLI makes them absolute against its working directory. */
const PATH_PARAMS = ['path', 'dir'] as const;

/**
 * Runs the bundled job module to obtain its logical graph (the functions
 * stay in the bundle). Errors name the job: a module that throws while
 * loading, a default export that is not a job, a graph that does not build.
 */
export async function compileJobBundle(
  jobPath: string,
  bundle: Uint8Array,
  options: { defaultParallelism: number; maxParallelism: number; objectReuse?: boolean; autoWatermarkIntervalMs?: number; args: readonly string[] },
): Promise<JobGraph> {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-cli-'));
  try {
    const file = join(dir, `${createHash('sha256').update(bundle).digest('hex').slice(0, 16)}.mjs`);
    writeFileSync(file, bundle);
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (err) {
      throw new RivuletError('JOB', `job ${jobPath} failed while loading: ${errorMessage(err)}`);
    }
    if (!isJobDefinition(module.default)) {
      throw new RivuletError('JOB', `the default export of ${jobPath} is not a Rivulet job: write \`export default defineJob((env) => { ... })\``);
    }
    let graph: JobGraph;
    try {
      graph = module.default.compile({ ...options, defaultJobName: basename(jobPath).replace(/\.[cm]?[jt]s$/, '') }).graph;
    } catch (err) {
      throw new RivuletError('JOB', `job ${jobPath} does not build a valid dataflow: ${errorMessage(err)}`);
    }
    return absolutizePaths(graph);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function absolutizePaths(graph: JobGraph): JobGraph {
  return {
    ...graph,
    operators: graph.operators.map((op) => {
      const params = { ...op.params };
      for (const name of PATH_PARAMS) {
        const value = params[name];
        if (typeof value === 'string' && value !== '' && !isAbsolute(value)) params[name] = resolve(value);
      }
      return { ...op, params };
    }),
  };
}
