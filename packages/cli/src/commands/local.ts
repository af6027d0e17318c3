import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostPort } from '@rivulet/common/client';
import { ChildDaemon } from '../local/child-daemon.js';
import {
  addConfigOptions,
  addOutputOption,
  positiveInteger,
  resolveConfiguration,
  type ConfigFlags,
  type OutputFormat,
} from '../options.js';

interface LocalFlags extends ConfigFlags {
  readonly taskmanagers: number;
  readonly slots?: number;
  readonly logDir: string;
  readonly output: OutputFormat;
  readonly run?: string;
}

const CLI_PATH = fileURLToPath(new URL('../main.js', import.meta.url));

/** Runs `rivulet run JOB` against the local cluster as a child, its output shown as it comes. */
function runJobOnCluster(job: string, jobManagerAddress: string, parallelism: number): Promise<void> {
  return new Promise((resolve) => {
    const args = [CLI_PATH, 'run', job, '--jobmanager', jobManagerAddress, '--parallelism', String(parallelism)];
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.once('exit', (code) => {
      if (code !== 0) process.stderr.write(`rivulet local: the job ${job} did not finish (exit ${code}); the cluster keeps running\n`);
      else process.stdout.write('The cluster keeps running: submit more with `pnpm rivulet run JOB`. Press Ctrl-C to stop.\n');
      resolve();
    });
  });
}

function passThrough(flags: ConfigFlags): string[] {
  return [
    ...(flags.config ? ['--config', resolve(flags.config)] : []),
    ...(flags.set ?? []).flatMap((pair) => ['-D', pair]),
  ];
}

/**
 * `rivulet local`: a JobManager and N TaskManagers as separate processes on
 * this machine with embedded defaults (no etcd, local folders), like Flink's
 * start-cluster.sh. Stops them all on Ctrl-C / SIGTERM.
 */
export function registerLocalCommand(program: Command): void {
  const command = program
    .command('local')
    .description('run a JobManager and TaskManagers on this machine until Ctrl-C')
    .option('-n, --taskmanagers <n>', 'number of TaskManagers', positiveInteger('--taskmanagers'), 2)
    .option('-s, --slots <n>', `slots per TaskManager (default: this machine's cores over the TaskManagers, at least 1)`, positiveInteger('--slots'))
    .option('--log-dir <dir>', 'where the daemons write their logs', '.rivulet/local/log')
    .option('--run <job>', 'once the cluster is up, run this job on it with one subtask per slot');
  addOutputOption(addConfigOptions(command)).action(async (flags: LocalFlags) => {
    const config = resolveConfiguration(flags);
    // A slot is a thread of its own: one slot per core of this machine (docs/architecture.md, "Cores").
    const slots = flags.slots ?? Math.max(1, Math.floor(availableParallelism() / flags.taskmanagers));
    const logDir = resolve(flags.logDir);
    mkdirSync(logDir, { recursive: true });
    const startTimeoutMs = 30_000;
    const children: ChildDaemon[] = [];
    let stopping = false;
    const stopAll = async (exitCode: number): Promise<never> => {
      stopping = true;
      await Promise.all(children.map((c) => c.stop(config['cluster.services.shutdown-timeout'] + 1000)));
      process.exit(exitCode);
    };
    process.on('SIGINT', () => void stopAll(0));
    process.on('SIGTERM', () => void stopAll(0));

    try {
      const jobManager = new ChildDaemon({
        name: 'jobmanager',
        cliPath: CLI_PATH,
        args: ['jobmanager', ...passThrough(flags)],
        logFile: join(logDir, 'jobmanager.log'),
        readyMessage: 'JobManager running',
        startTimeoutMs,
      });
      children.push(jobManager);
      const jm = await jobManager.ready;
      const jobManagerAddress = hostPort(config['jobmanager.rpc.address'], Number(jm['rpcPort']));
      const taskManagers = Array.from({ length: flags.taskmanagers }, (_, i) => {
        const child = new ChildDaemon({
          name: `taskmanager-${i + 1}`,
          cliPath: CLI_PATH,
          args: [
            'taskmanager', ...passThrough(flags),
            '--jobmanager', jobManagerAddress, '--slots', String(slots),
            '--rpc-port', '0', '--data-port', '0', '--http-port', '0',
          ],
          logFile: join(logDir, `taskmanager-${i + 1}.log`),
          readyMessage: 'TaskManager running',
          startTimeoutMs,
        });
        children.push(child);
        return child;
      });
      const tms = await Promise.all(taskManagers.map((tm) => tm.ready));
      for (const child of children) {
        void child.exited.then(({ code, signal }) => {
          if (stopping) return;
          process.stderr.write(`rivulet local: ${child.options.name} (pid ${child.pid}) exited (${signal ?? `code ${code}`}); see ${child.options.logFile}\n`);
          if (child === jobManager) void stopAll(1);
        });
      }
      const summary = {
        jobmanager: { pid: jobManager.pid, rpcAddress: jobManagerAddress, restUrl: String(jm['restUrl']) },
        taskmanagers: tms.map((tm, i) => ({
          pid: taskManagers[i]?.pid,
          id: String(tm['resourceId']),
          rpcAddress: String(tm['rpcAddress']),
          httpPort: Number(tm['httpPort']),
          slots: Number(tm['slots']),
        })),
        logDir,
      };
      if (flags.output === 'json') {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        process.stdout.write(
          [
            'Rivulet local cluster is running.',
            `  JobManager      rpc ${summary.jobmanager.rpcAddress}   REST ${summary.jobmanager.restUrl}`,
            ...summary.taskmanagers.map((tm, i) => `  TaskManager ${i + 1}   rpc ${tm.rpcAddress}   metrics http://127.0.0.1:${tm.httpPort}/metrics   slots ${tm.slots}`),
            `  Logs            ${logDir}`,
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
      }
      if (flags.run !== undefined) await runJobOnCluster(flags.run, jobManagerAddress, flags.taskmanagers * slots);
    } catch (err) {
      process.stderr.write(`rivulet local: ${(err as Error).message}\n`);
      await stopAll(1);
    }
  });
}
