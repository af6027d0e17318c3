import { Command } from 'commander';
import { RIVULET_VERSION } from '@rivulet/common/client';
import { registerClusterCommand } from './commands/cluster.js';
import { registerJobCommands } from './commands/jobs.js';
import { registerJobManagerCommand } from './commands/jobmanager.js';
import { registerLocalCommand } from './commands/local.js';
import { registerRunCommand } from './commands/run.js';
import { registerTaskManagerCommand } from './commands/taskmanager.js';

/** The `rivulet` command line. Usage errors exit 2 (see main.ts). */
export function buildProgram(): Command {
  const program = new Command('rivulet')
    .description('Rivulet: distributed, fault-tolerant stateful stream processing for TypeScript')
    .version(RIVULET_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions();
  registerLocalCommand(program);
  registerJobManagerCommand(program);
  registerTaskManagerCommand(program);
  registerRunCommand(program);
  registerJobCommands(program);
  registerClusterCommand(program);
  program.commands.forEach((command) => command.exitOverride());
  program.exitOverride();
  return program;
}
