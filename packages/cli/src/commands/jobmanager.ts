import type { Command } from 'commander';
import { addConfigOptions, portNumber, resolveConfiguration, type ConfigFlags } from '../options.js';

interface JobManagerFlags extends ConfigFlags {
  readonly rpcPort?: number;
  readonly restPort?: number;
  readonly host?: string;
}

export function registerJobManagerCommand(program: Command): void {
  const command = program
    .command('jobmanager')
    .description('run a JobManager daemon (gRPC 6123, REST 8081)')
    .option('--rpc-port <port>', 'jobmanager.rpc.port (0 = any free port)', portNumber('--rpc-port'))
    .option('--rest-port <port>', 'rest.port (0 = any free port)', portNumber('--rest-port'))
    .option('--host <address>', 'address to bind and advertise (jobmanager.bind-host, jobmanager.rpc.address, rest.*)');
  addConfigOptions(command).action(async (flags: JobManagerFlags) => {
    const config = resolveConfiguration(flags, {
      'jobmanager.rpc.port': flags.rpcPort,
      'rest.port': flags.restPort,
      'jobmanager.bind-host': flags.host,
      'jobmanager.rpc.address': flags.host,
      'rest.bind-address': flags.host,
      'rest.address': flags.host,
    });
    // Loaded here, not at the top: every other command would pay for the JobManager's modules.
    const [{ JobManager }, { runDaemon }] = await Promise.all([import('@rivulet/jobmanager'), import('./daemon-runner.js')]);
    await runDaemon('jobmanager', config, (c, log) => new JobManager(c, log));
  });
}
