import type { Command } from 'commander';
import { isTerminalJobStatus, loadConfiguration, parseKeyValuePairs, sleep, RivuletError } from '@rivulet/common/client';
import { JobManagerClient, type ClientFlags } from '../client.js';
import { addOutputOption, positiveInteger, resolveConfiguration, type ConfigFlags, type OutputFormat } from '../options.js';
import { printResult } from '../output.js';
import { describeProgress, type JobDetailsJson } from './job-progress.js';
import { targetUri } from './jobs.js';

interface RunFlags extends ClientFlags, Pick<ConfigFlags, 'config'> {
  readonly parallelism?: number;
  readonly fromSavepoint?: string;
  readonly allowNonRestoredState?: boolean;
  readonly detached?: boolean;
  readonly set?: string[];
  readonly output: OutputFormat;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `rivulet run JOB`: bundle the module, build its graph, submit graph and
 * bundle, then (unless --detached) follow the job to its end. Exit 0 when
 * it FINISHED, 1 when it FAILED or was CANCELED.
 */
export function registerRunCommand(program: Command): void {
  const command = program
    .command('run')
    .description('submit a job module (.ts or .js) and follow it to its end')
    .argument('<job>', 'job module whose default export is defineJob(...)')
    .argument('[args...]', 'the job\'s arguments, after "--" (env.getArgs(), env.getParameter())')
    .option('--jobmanager <host:port>', 'JobManager to submit to (default: from configuration)')
    .option('--token-file <file>', 'file holding the client token (default: security.auth.token, security.auth.token-file or RIVULET_SECURITY_AUTH_TOKEN)')
    .option('-c, --config <file>', 'YAML configuration file (for finding the JobManager)')
    .option('-p, --parallelism <n>', 'default parallelism of the job', positiveInteger('--parallelism'))
    .option('-s, --from-savepoint <dir>', 'restore the job from this savepoint')
    .option('--allow-non-restored-state', 'skip savepoint state that maps to no operator')
    .option('-d, --detached', 'submit and return at once, printing the job id')
    .option('--set <key=value>', 'a job setting (repeatable), e.g. --set slot.request.timeout=1min', collect);
  addOutputOption(command).action(async (jobPath: string, args: string[], flags: RunFlags) => {
    const config = resolveConfiguration({ config: flags.config });
    const jobSettings = parseKeyValuePairs(flags.set ?? []);
    const jobConfig = loadConfiguration({ flags: jobSettings });
    // esbuild and the job API are loaded by the one command that bundles a job.
    const [{ bundleJob }, { compileJobBundle }] = await Promise.all([import('../job/bundle-job.js'), import('../job/load-job.js')]);
    const bundle = await bundleJob(jobPath);
    const graph = await compileJobBundle(jobPath, bundle, {
      defaultParallelism: flags.parallelism ?? jobConfig['parallelism.default'],
      maxParallelism: jobConfig['pipeline.max-parallelism'],
      objectReuse: jobConfig['pipeline.object-reuse'],
      autoWatermarkIntervalMs: jobConfig['pipeline.auto-watermark-interval'],
      args,
    });
    const client = await JobManagerClient.fromFlags(flags, config);
    try {
      const { jobId } = await client.call('SubmitJob', {
        jobGraph: Buffer.from(JSON.stringify(graph)),
        bundle: Buffer.from(bundle),
        savepointPath: targetUri(flags.fromSavepoint),
        allowNonRestoredState: flags.allowNonRestoredState ?? false,
        jobConfigJson: JSON.stringify(jobSettings),
      }, 60_000);
      if (flags.detached) {
        printResult(flags.output, { jobId }, () => [`Job ${jobId} submitted.`]);
        return;
      }
      if (flags.output === 'text') process.stdout.write(`Job ${jobId} (${graph.name}) submitted.\n`);
      const details = await follow(client, jobId, flags.output);
      if (flags.output === 'text') {
        for (const operator of graph.operators) {
          if (operator.kind === 'sink' && operator.variant === 'file') {
            process.stdout.write(`Output of ${operator.name}: ${String(operator.params['dir'])}/part-*\n`);
          }
        }
      }
      if (flags.output === 'json') process.stdout.write(`${JSON.stringify({ jobId, ...details }, null, 2)}\n`);
      if (details.state !== 'FINISHED') {
        throw new RivuletError('CLUSTER', `job ${jobId} ended ${details.state}${details['root-exception'] ? `: ${firstLine(details['root-exception'])}` : ''}`);
      }
    } finally {
      client.close();
    }
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

async function follow(client: JobManagerClient, jobId: string, output: OutputFormat): Promise<JobDetailsJson> {
  let last = '';
  for (;;) {
    const job = await client.call('GetJob', { jobId });
    const details = JSON.parse(job.detailsJson) as JobDetailsJson;
    const line = describeProgress(details);
    if (output === 'text' && line !== last) process.stdout.write(`${line}\n`);
    last = line;
    if (isTerminalJobStatus(details.state)) {
      if (output === 'text') for (const text of describeEnd(details)) process.stdout.write(`${text}\n`);
      return details;
    }
    await sleep(250);
  }
}

function describeEnd(details: JobDetailsJson): string[] {
  const lines = [`Job ${details.state} after ${details.duration} ms.`];
  if (details['root-exception']) lines.push(`Cause: ${details['root-exception']}`);
  for (const [name, records] of Object.entries(details.results ?? {})) {
    lines.push(`Collected "${name}": ${records.length} record${records.length === 1 ? '' : 's'}`);
  }
  return lines;
}
