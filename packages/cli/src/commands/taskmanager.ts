import type { Command } from 'commander';
import { UsageError } from '@rivulet/common/client';
import { addConfigOptions, portNumber, positiveInteger, resolveConfiguration, type ConfigFlags } from '../options.js';

interface TaskManagerFlags extends ConfigFlags {
  readonly jobmanager?: string;
  readonly slots?: number;
  readonly rpcPort?: number;
  readonly dataPort?: number;
  readonly httpPort?: number;
  readonly host?: string;
}

/** Splits HOST:PORT (or [v6]:PORT) for --jobmanager. */
export function splitHostPort(value: string): { host: string; port: string } {
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(value) ?? /^([^\s:]+):(\d{1,5})$/.exec(value);
  if (!match?.[1] || !match[2]) throw new UsageError(`--jobmanager must be HOST:PORT, got "${value}"`);
  return { host: match[1], port: match[2] };
}

export function registerTaskManagerCommand(program: Command): void {
  const command = program
    .command('taskmanager')
    .description('run a TaskManager daemon (gRPC 6122, data 6121, HTTP 9249)')
    .option('--jobmanager <host:port>', 'JobManager to register with (jobmanager.rpc.address and .port)')
    .option('--slots <n>', 'taskmanager.numberOfTaskSlots', positiveInteger('--slots'))
    .option('--rpc-port <port>', 'taskmanager.rpc.port (0 = any free port)', portNumber('--rpc-port'))
    .option('--data-port <port>', 'taskmanager.data.port (0 = any free port)', portNumber('--data-port'))
    .option('--http-port <port>', 'taskmanager.http.port (0 = any free port)', portNumber('--http-port'))
    .option('--host <address>', 'address to bind and advertise (taskmanager.bind-host, taskmanager.host)');
  addConfigOptions(command).action(async (flags: TaskManagerFlags) => {
    const jobManager = flags.jobmanager === undefined ? undefined : splitHostPort(flags.jobmanager);
    const config = resolveConfiguration(flags, {
      'jobmanager.rpc.address': jobManager?.host,
      'jobmanager.rpc.port': jobManager?.port,
      'taskmanager.numberOfTaskSlots': flags.slots,
      'taskmanager.rpc.port': flags.rpcPort,
      'taskmanager.data.port': flags.dataPort,
      'taskmanager.http.port': flags.httpPort,
      'taskmanager.bind-host': flags.host,
      'taskmanager.host': flags.host,
    });
    // Loaded here, not at the top: every other command would pay for the TaskManager's modules.
    const [{ TaskManager }, { runDaemon }] = await Promise.all([import('@rivulet/taskmanager'), import('./daemon-runner.js')]);
    await runDaemon('taskmanager', config, (c, log, onFatalError) => new TaskManager(c, log, onFatalError));
  });
}
