import type { Command } from 'commander';
import { resolve } from 'node:path';
import { JobManagerClient, type ClientFlags } from '../client.js';
import {
  addConfigOptions,
  addOutputOption,
  resolveConfiguration,
  type ConfigFlags,
  type OutputFormat,
} from '../options.js';
import { printResult, table } from '../output.js';
import { describeCheckpoints, describeProgress, type JobDetailsJson } from './job-progress.js';

interface ClientCommandFlags extends ConfigFlags, ClientFlags {
  readonly output: OutputFormat;
}

function clientCommand(program: Command, name: string, description: string): Command {
  const command = program
    .command(name)
    .description(description)
    .option('--jobmanager <host:port>', 'JobManager to talk to (default: from configuration)')
    .option('--token-file <file>', 'file holding the client token (default: security.auth.token, security.auth.token-file or RIVULET_SECURITY_AUTH_TOKEN)');
  return addOutputOption(addConfigOptions(command));
}

async function withClient<T>(flags: ClientCommandFlags, use: (client: JobManagerClient) => Promise<T>): Promise<T> {
  const client = await JobManagerClient.fromFlags(flags, resolveConfiguration(flags));
  try {
    return await use(client);
  } finally {
    client.close();
  }
}


export function registerJobCommands(program: Command): void {
  clientCommand(program, 'list', 'list the jobs of the cluster').action(async (flags: ClientCommandFlags) => {
    const response = await withClient(flags, (client) => client.call('ListJobs', {}));
    const jobs = response.jobs.map((job) => ({ id: job.jobId, name: job.name, state: job.state, startTime: job.startTimeMs }));
    printResult(flags.output, { jobs }, () =>
      jobs.length === 0 ? ['No jobs.'] : table(['JOB ID', 'NAME', 'STATE'], jobs.map((j) => [j.id, j.name, j.state])),
    );
  });

  clientCommand(program, 'status', 'show the state of a job')
    .argument('<jobId>', 'job id')
    .action(async (jobId: string, flags: ClientCommandFlags) => {
      const job = await withClient(flags, (client) => client.call('GetJob', { jobId }));
      const details = JSON.parse(job.detailsJson) as JobDetailsJson & Record<string, unknown>;
      const json = { id: details.jid, ...details };
      printResult(flags.output, json, () => [
        `Job ${details.jid} (${details.name})`,
        describeProgress(details),
        ...details.vertices.map((v) => `  ${v.name}  parallelism ${v.parallelism}`),
        ...(details.restarts ? [`Restarts: ${details.restarts.numRestarts} (restart strategy ${details.restarts['restart-strategy']}, failover ${details.restarts['failover-strategy']})`] : []),
        ...describeCheckpoints(details),
        ...(details.exceptions.length === 0 ? [] : ['Exceptions (oldest first):', ...details.exceptions.map((e) => `  ${new Date(e.timestamp).toISOString()} ${e.task ?? 'job'}: ${e.message}`)]),
      ]);
    });

  clientCommand(program, 'cancel', 'cancel a running job')
    .argument('<jobId>', 'job id')
    .action(async (jobId: string, flags: ClientCommandFlags) => {
      await withClient(flags, (client) => client.call('CancelJob', { jobId }));
      printResult(flags.output, { jobId, cancelled: true }, () => [`Cancelled job ${jobId}.`]);
    });

  clientCommand(program, 'stop', 'stop a job with a savepoint: once it completed sinks commit and the job finishes; if it fails the job keeps running')
    .argument('<jobId>', 'job id')
    .option('--savepoint <dir>', 'where to write the savepoint (default: execution.checkpointing.savepoint-dir)')
    .action(async (jobId: string, flags: ClientCommandFlags & { savepoint?: string }) => {
      const { savepointPath } = await withClient(flags, (client) => client.call('StopJob', { jobId, savepointDir: targetUri(flags.savepoint) }, 15 * 60_000));
      printResult(flags.output, { jobId, savepointPath }, () => [`Job ${jobId} stopped with savepoint ${savepointPath}`]);
    });

  clientCommand(program, 'savepoint', 'trigger a savepoint of a running job')
    .argument('<jobId>', 'job id')
    .argument('[dir]', 'where to write the savepoint (default: execution.checkpointing.savepoint-dir)')
    .action(async (jobId: string, dir: string | undefined, flags: ClientCommandFlags) => {
      const { savepointPath } = await withClient(flags, (client) => client.call('TriggerSavepoint', { jobId, savepointDir: targetUri(dir) }, 15 * 60_000));
      printResult(flags.output, { jobId, savepointPath }, () => [`Savepoint of job ${jobId}: ${savepointPath}`]);
    });
}

/** A savepoint target as the JobManager needs it: URIs as given, local paths made absolute here. */
export function targetUri(dir: string | undefined): string {
  if (dir === undefined || dir === '') return '';
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(dir) ? dir : resolve(dir);
}
