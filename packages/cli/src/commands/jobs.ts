import type { Command } from 'commander';
import { RivuletError } from '@rivulet/common';
import { JobManagerClient, type ClientFlags } from '../client.js';
import {
  addConfigOptions,
  addOutputOption,
  resolveConfiguration,
  type ConfigFlags,
  type OutputFormat,
} from '../options.js';
import { printResult, table } from '../output.js';
import { describeProgress, type JobDetailsJson } from './job-progress.js';

interface ClientCommandFlags extends ConfigFlags, ClientFlags {
  readonly output: OutputFormat;
}

function clientCommand(program: Command, name: string, description: string): Command {
  const command = program
    .command(name)
    .description(description)
    .option('--jobmanager <host:port>', 'JobManager to talk to (default: from configuration)');
  return addOutputOption(addConfigOptions(command));
}

async function withClient<T>(flags: ClientCommandFlags, use: (client: JobManagerClient) => Promise<T>): Promise<T> {
  const client = JobManagerClient.fromFlags(flags, resolveConfiguration(flags));
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

function notYet(what: string): never {
  throw new RivuletError('NOT_IMPLEMENTED', `${what} is not implemented yet`);
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
        ...(details.exceptions.length === 0 ? [] : ['Exceptions (oldest first):', ...details.exceptions.map((e) => `  ${new Date(e.timestamp).toISOString()} ${e.task ?? 'job'}: ${e.message}`)]),
      ]);
    });

  clientCommand(program, 'cancel', 'cancel a running job')
    .argument('<jobId>', 'job id')
    .action(async (jobId: string, flags: ClientCommandFlags) => {
      await withClient(flags, (client) => client.call('CancelJob', { jobId }));
      printResult(flags.output, { jobId, cancelled: true }, () => [`Cancelled job ${jobId}.`]);
    });

  clientCommand(program, 'stop', 'stop a job with a savepoint')
    .argument('<jobId>', 'job id')
    .option('--savepoint <dir>', 'where to write the savepoint')
    .action(() => notYet('rivulet stop'));

  clientCommand(program, 'savepoint', 'trigger a savepoint of a running job')
    .argument('<jobId>', 'job id')
    .argument('[dir]', 'where to write the savepoint')
    .action(() => notYet('rivulet savepoint'));
}
