import { build, type Message } from 'esbuild';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RivuletError, UsageError } from '@rivulet/common/client';

/** node_modules of the CLI itself: a job outside a project still finds @rivulet/api. */
const CLI_NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

function describe(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : '';
  return `${where}${message.text}`;
}

/**
 * Bundles a job module (.ts or .js) and everything it imports into one ESM
 * file: the unit the JobManager stores and every TaskManager loads.
 */
export async function bundleJob(jobPath: string): Promise<Uint8Array> {
  const entry = resolve(jobPath);
  if (!existsSync(entry)) throw new UsageError(`job file ${jobPath} does not exist`);
  if (!statSync(entry).isFile()) throw new UsageError(`job file ${jobPath} is not a file`);
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      // Stack traces of user errors on TaskManagers point at the job's own source lines.
      sourcemap: 'inline',
      sourcesContent: false,
      sourceRoot: `${pathToFileURL(process.cwd()).href}/`,
      nodePaths: [CLI_NODE_MODULES],
      banner: { js: "import { createRequire as __rivuletCreateRequire } from 'node:module'; const require = __rivuletCreateRequire(import.meta.url);" },
    });
    const output = result.outputFiles[0];
    if (!output) throw new RivuletError('CLUSTER', `bundling ${jobPath} produced no output`);
    return output.contents;
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    if (errors && errors.length > 0) {
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
      throw new RivuletError('JOB', `job ${jobPath} does not compile: ${describe(errors[0]!)}${more}`);
    }
    throw err;
  }
}
